#include "file_io.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <limits>
#include <sys/stat.h>
#include <unistd.h>

namespace k4sync {
namespace {

bool fail(std::string *error, const char *what)
{
    if (error != nullptr)
        *error = std::string(what) + ": " + std::strerror(errno);
    return false;
}

} // namespace

bool OutputFile::is_open() const noexcept
{
    return fd_ >= 0;
}

OutputFile::~OutputFile()
{
    if (fd_ >= 0)
        ::close(fd_);
}

bool OutputFile::open(const std::string &path, std::string *error)
{
    if (fd_ >= 0)
    {
        if (error != nullptr)
            *error = "file already open";
        return false;
    }
    int fd;
    do
    {
        fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0)
        return fail(error, "open");
    fd_ = fd;
    return true;
}

bool OutputFile::write_at(uint64_t position, const uint8_t *data, size_t size, std::string *error)
{
    if (fd_ < 0)
    {
        if (error != nullptr)
            *error = "file not open";
        return false;
    }
    if (position > static_cast<uint64_t>(std::numeric_limits<off_t>::max()) ||
        size > static_cast<uint64_t>(std::numeric_limits<off_t>::max()) - position)
    {
        if (error != nullptr)
            *error = "write position out of range";
        return false;
    }
    // pwrite may write less than asked (signals, quotas); loop until done or a real error such as ENOSPC.
    while (size > 0)
    {
        const ssize_t written = ::pwrite(fd_, data, size, static_cast<off_t>(position));
        if (written < 0)
        {
            if (errno == EINTR)
                continue;
            return fail(error, "write");
        }
        if (written == 0)
        {
            errno = EIO;
            return fail(error, "write made no progress");
        }
        data += written;
        size -= static_cast<size_t>(written);
        position += static_cast<uint64_t>(written);
    }
    return true;
}

bool OutputFile::truncate(uint64_t length, std::string *error)
{
    if (fd_ < 0 || length > static_cast<uint64_t>(std::numeric_limits<off_t>::max()))
    {
        if (error != nullptr)
            *error = "truncate: file not open or length out of range";
        return false;
    }
    int rc;
    do
    {
        rc = ::ftruncate(fd_, static_cast<off_t>(length));
    } while (rc != 0 && errno == EINTR);
    return rc == 0 ? true : fail(error, "ftruncate");
}

bool OutputFile::sync(std::string *error)
{
    if (fd_ < 0)
    {
        if (error != nullptr)
            *error = "sync: file not open";
        return false;
    }
    int rc;
    do
    {
        rc = ::fsync(fd_);
    } while (rc != 0 && errno == EINTR);
    return rc == 0 ? true : fail(error, "fsync");
}

bool OutputFile::close(std::string *error)
{
    if (fd_ < 0)
        return true;
    const int fd = fd_;
    fd_ = -1;
    // Retrying close after EINTR can close a descriptor another thread just received; report and move on.
    if (::close(fd) != 0)
        return fail(error, "close");
    return true;
}

} // namespace k4sync
