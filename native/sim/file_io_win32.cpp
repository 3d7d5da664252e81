#include "file_io.h"

#include "win32_text.h"

#include <algorithm>
#include <limits>

namespace k4sync {
namespace {

bool fail(std::string *error, const char *what)
{
    const DWORD code = GetLastError();
    if (error != nullptr)
        *error = std::string(what) + ": " + win32::error_text(code);
    return false;
}

bool refuse(std::string *error, const char *why)
{
    if (error != nullptr)
        *error = why;
    return false;
}

} // namespace

bool OutputFile::is_open() const noexcept
{
    return handle_ != nullptr;
}

OutputFile::~OutputFile()
{
    if (handle_ != nullptr)
        CloseHandle(handle_);
}

bool OutputFile::open(const std::string &path, std::string *error)
{
    if (handle_ != nullptr)
        return refuse(error, "file already open");
    // Readers may open the file while it is written (an audit of a take in progress); the handle is not inherited
    // by child processes (the POSIX side's O_CLOEXEC).
    HANDLE h = CreateFileW(win32::utf8_to_wide(path).c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_DELETE, nullptr,
                           CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE)
        return fail(error, "open");
    handle_ = h;
    return true;
}

bool OutputFile::write_at(uint64_t position, const uint8_t *data, size_t size, std::string *error)
{
    if (handle_ == nullptr)
        return refuse(error, "file not open");
    if (position > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) ||
        size > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()) - position)
        return refuse(error, "write position out of range");
    // WriteFile takes a 32-bit count and may write less than asked: loop in chunks until done or a real error such as
    // ERROR_DISK_FULL. The OVERLAPPED offset makes each write positional on this synchronous handle.
    constexpr size_t kChunk = 1u << 30;
    while (size > 0)
    {
        OVERLAPPED at{};
        at.Offset = static_cast<DWORD>(position & 0xFFFFFFFFu);
        at.OffsetHigh = static_cast<DWORD>(position >> 32);
        DWORD written = 0;
        if (!WriteFile(handle_, data, static_cast<DWORD>(std::min(size, kChunk)), &written, &at))
            return fail(error, "write");
        if (written == 0)
        {
            SetLastError(ERROR_WRITE_FAULT);
            return fail(error, "write made no progress");
        }
        data += written;
        size -= written;
        position += written;
    }
    return true;
}

bool OutputFile::truncate(uint64_t length, std::string *error)
{
    if (handle_ == nullptr || length > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        return refuse(error, "truncate: file not open or length out of range");
    FILE_END_OF_FILE_INFO end{};
    end.EndOfFile.QuadPart = static_cast<LONGLONG>(length);
    return SetFileInformationByHandle(handle_, FileEndOfFileInfo, &end, sizeof end) ? true : fail(error, "truncate");
}

bool OutputFile::sync(std::string *error)
{
    if (handle_ == nullptr)
        return refuse(error, "sync: file not open");
    return FlushFileBuffers(handle_) ? true : fail(error, "FlushFileBuffers");
}

bool OutputFile::close(std::string *error)
{
    if (handle_ == nullptr)
        return true;
    HANDLE h = handle_;
    handle_ = nullptr;
    return CloseHandle(h) ? true : fail(error, "close");
}

} // namespace k4sync
