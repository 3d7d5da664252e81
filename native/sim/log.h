// Diagnostics for the simulated SDK. The real SDK reports why a call failed only through its log, so callers that get
// K4A_RESULT_FAILED need the same trail here. Level comes from K4SYNC_LOG_LEVEL (off|error|warning|info; default
// warning) and output goes to stderr, never stdout, which belongs to the host program.
#pragma once

namespace k4sync {

enum class LogLevel
{
    kError = 1,
    kWarning = 2,
    kInfo = 3,
};

#if defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
void log_message(LogLevel level, const char *format, ...) noexcept;

} // namespace k4sync

#define K4S_LOG_ERROR(...) ::k4sync::log_message(::k4sync::LogLevel::kError, __VA_ARGS__)
#define K4S_LOG_WARNING(...) ::k4sync::log_message(::k4sync::LogLevel::kWarning, __VA_ARGS__)
#define K4S_LOG_INFO(...) ::k4sync::log_message(::k4sync::LogLevel::kInfo, __VA_ARGS__)
