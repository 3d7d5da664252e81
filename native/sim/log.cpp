#include "log.h"

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <optional>
#include <string>

#if defined(_WIN32)
#include "win32_text.h"
#endif

namespace k4sync {
namespace {

// A variable of the process environment, in UTF-8. On Windows it is read from the process itself rather than from
// getenv, whose C runtime may be a private copy (a static CRT in this DLL) taken before k4sync set the variable.
std::optional<std::string> environment(const char *name)
{
#if defined(_WIN32)
    const std::wstring wide_name = win32::utf8_to_wide(name);
    std::wstring value(256, L'\0');
    for (;;)
    {
        SetLastError(ERROR_SUCCESS);
        const DWORD n = GetEnvironmentVariableW(wide_name.c_str(), value.data(), static_cast<DWORD>(value.size()));
        if (n == 0 && GetLastError() == ERROR_ENVVAR_NOT_FOUND)
            return std::nullopt;
        if (n < value.size())
        {
            value.resize(n);
            return win32::wide_to_utf8(value);
        }
        value.resize(n);
    }
#else
    const char *value = std::getenv(name);
    return value ? std::optional<std::string>(value) : std::nullopt;
#endif
}

// The log file's name comes from the environment as UTF-8 (k4sync sets it); Windows' fopen would read it in the ANSI
// code page.
std::FILE *open_for_append(const std::string &path)
{
#if defined(_WIN32)
    return _wfopen(win32::utf8_to_wide(path).c_str(), L"a");
#else
    return std::fopen(path.c_str(), "a");
#endif
}

struct Sink
{
    int refs = 0;
    int level = static_cast<int>(LogLevel::kWarning);
    bool console = true;
    std::FILE *file = nullptr;
};

struct Config
{
    int level = static_cast<int>(LogLevel::kWarning);
    bool console = true;
    std::string file;
};

std::mutex g_lock;
Sink g_sinks[2];
thread_local bool t_record_side = false;
thread_local std::string t_last_error;

const char *file_variable(LogSide side) noexcept
{
    return side == LogSide::kRecord ? "K4A_RECORD_ENABLE_LOG_TO_A_FILE" : "K4A_ENABLE_LOG_TO_A_FILE";
}

// The SDK's reading of its variables: the level by its first letter, "0" switches a sink off.
Config read_environment(LogSide side)
{
    Config c;
    if (const std::optional<std::string> level = environment("K4A_LOG_LEVEL"); level && !level->empty())
    {
        switch ((*level)[0])
        {
        case 'c': // critical: we log nothing that severe
        case 'C':
            c.level = 0;
            break;
        case 'e':
        case 'E':
            c.level = static_cast<int>(LogLevel::kError);
            break;
        case 'i':
        case 'I':
        case 't':
        case 'T':
            c.level = static_cast<int>(LogLevel::kInfo);
            break;
        default:
            c.level = static_cast<int>(LogLevel::kWarning);
            break;
        }
    }
    const std::optional<std::string> console = environment("K4A_ENABLE_LOG_TO_STDOUT");
    c.console = !console || *console != "0";
    const std::optional<std::string> file = environment(file_variable(side));
    if (file && !file->empty() && *file != "0")
        c.file = *file;
    return c;
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

void log_acquire(LogSide side) noexcept
{
    try
    {
        std::lock_guard<std::mutex> guard(g_lock);
        Sink &sink = g_sinks[static_cast<int>(side)];
        if (sink.refs++ > 0)
            return;
        Config c = read_environment(side);
        sink.level = c.level;
        sink.console = c.console;
        if (!c.file.empty())
        {
            sink.file = open_for_append(c.file);
            if (sink.file == nullptr && sink.console)
                std::fprintf(stderr, "[k4sync-sim] error: cannot open the log file %s: %s\n", c.file.c_str(), std::strerror(errno));
        }
    }
    catch (...)
    {
        // Out of memory while reading the environment: the side keeps its previous configuration.
    }
}

void log_release(LogSide side) noexcept
{
    std::lock_guard<std::mutex> guard(g_lock);
    Sink &sink = g_sinks[static_cast<int>(side)];
    if (sink.refs == 0 || --sink.refs > 0)
        return;
    if (sink.file != nullptr)
        std::fclose(sink.file);
    sink.file = nullptr;
}

RecordLogScope::RecordLogScope() noexcept : previous_(t_record_side)
{
    t_record_side = true;
}

RecordLogScope::~RecordLogScope()
{
    t_record_side = previous_;
}

void log_message(LogLevel level, const char *format, ...) noexcept
{
    char text[1024];
    va_list args;
    va_start(args, format);
    std::vsnprintf(text, sizeof(text), format, args);
    va_end(args);
    if (level == LogLevel::kError)
        set_last_error(text);

    const LogSide side = t_record_side ? LogSide::kRecord : LogSide::kDevice;
    std::lock_guard<std::mutex> guard(g_lock);
    const Sink &sink = g_sinks[static_cast<int>(side)];
    // With no handle open (the library's own tools and tests), the environment is read for this message.
    Config config;
    bool console = sink.console;
    int threshold = sink.level;
    if (sink.refs == 0)
    {
        try
        {
            config = read_environment(side);
        }
        catch (...)
        {
        }
        console = config.console;
        threshold = config.level;
    }
    if (static_cast<int>(level) > threshold)
        return;
    // One write per line so that lines from several sensor threads do not interleave mid-line.
    if (sink.file != nullptr)
    {
        std::fprintf(sink.file, "[k4sync-sim] %s: %s\n", level_name(level), text);
        std::fflush(sink.file);
    }
    if (console)
        std::fprintf(stderr, "[k4sync-sim] %s: %s\n", level_name(level), text);
}

void set_last_error(const std::string &text) noexcept
{
    try
    {
        t_last_error = text;
    }
    catch (...)
    {
        t_last_error.clear();
    }
}

void clear_last_error() noexcept
{
    t_last_error.clear();
}

const char *last_error() noexcept
{
    return t_last_error.c_str();
}

} // namespace k4sync
