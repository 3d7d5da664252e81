// Diagnostics for the simulated SDK. The real SDK reports why a call failed only through its log, so callers that get
// K4A_RESULT_FAILED need the same trail here, configured by the SDK's own variables so that a host program routes both
// the same way:
//   K4A_LOG_LEVEL                     c(ritical), e(rror), w(arning), i(nfo) or t(race); first letter counts; default w
//   K4A_ENABLE_LOG_TO_STDOUT          "0" silences the console sink (stderr here: stdout belongs to the host program)
//   K4A_ENABLE_LOG_TO_A_FILE          file for the device side (k4a_device_*, k4a_capture_*, k4a_image_*), "0" for none
//   K4A_RECORD_ENABLE_LOG_TO_A_FILE   file for the recording side (k4a_record_*), "0" for none
// As in the SDK, a side reads its variables when its first handle is created (k4a_device_open, k4a_record_create)
// and closes its file when its last handle is closed, so a host sets them before it opens anything.
#pragma once

#include <string>

namespace k4sync {

enum class LogLevel
{
    kError = 1,
    kWarning = 2,
    kInfo = 3,
};

enum class LogSide
{
    kDevice,
    kRecord,
};

// Handle lifetime on a side: the first acquire reads the environment and opens the file, the last release closes it.
void log_acquire(LogSide side) noexcept;
void log_release(LogSide side) noexcept;

// Messages logged on this thread go to the record side while the guard lives (the k4a_record_* entry points).
class RecordLogScope
{
public:
    RecordLogScope() noexcept;
    ~RecordLogScope();
    RecordLogScope(const RecordLogScope &) = delete;
    RecordLogScope &operator=(const RecordLogScope &) = delete;

private:
    bool previous_;
};

#if defined(__MINGW32__)
// mingw-w64's C++ runtime formats with its own C99 printf (%zu, %lld), not msvcrt's, which "printf" would check against.
__attribute__((format(gnu_printf, 2, 3)))
#elif defined(__GNUC__) || defined(__clang__)
__attribute__((format(printf, 2, 3)))
#endif
void log_message(LogLevel level, const char *format, ...) noexcept;

// The newest error of the calling thread (what k4sim_last_error returns): set by every error-level message and by
// the device side's refusals, cleared when an entry point starts, so a caller that gets FAILED can say why.
void set_last_error(const std::string &text) noexcept;
void clear_last_error() noexcept;
const char *last_error() noexcept;

} // namespace k4sync

#define K4S_LOG_ERROR(...) ::k4sync::log_message(::k4sync::LogLevel::kError, __VA_ARGS__)
#define K4S_LOG_WARNING(...) ::k4sync::log_message(::k4sync::LogLevel::kWarning, __VA_ARGS__)
#define K4S_LOG_INFO(...) ::k4sync::log_message(::k4sync::LogLevel::kInfo, __VA_ARGS__)
