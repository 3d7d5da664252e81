#include "log.h"

#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace k4sync {
namespace {

int configured_level() noexcept
{
    // Read once: the variable is meant to be set before the process starts, and getenv is not thread-safe against
    // setenv.
    static const int level = [] {
        const char *value = std::getenv("K4SYNC_LOG_LEVEL");
        if (value == nullptr)
            return static_cast<int>(LogLevel::kWarning);
        if (std::strcmp(value, "off") == 0)
            return 0;
        if (std::strcmp(value, "error") == 0)
            return static_cast<int>(LogLevel::kError);
        if (std::strcmp(value, "info") == 0)
            return static_cast<int>(LogLevel::kInfo);
        return static_cast<int>(LogLevel::kWarning);
    }();
    return level;
}

const char *level_name(LogLevel level) noexcept
{
    switch (level)
    {
    case LogLevel::kError:
        return "error";
    case LogLevel::kWarning:
        return "warning";
    case LogLevel::kInfo:
        return "info";
    }
    return "?";
}

} // namespace

void log_message(LogLevel level, const char *format, ...) noexcept
{
    if (static_cast<int>(level) > configured_level())
        return;
    // One fprintf per line so that lines from several sensor threads do not interleave mid-line.
    char text[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    std::fprintf(stderr, "[k4sync-sim] %s: %s\n", level_name(level), text);
}

} // namespace k4sync
