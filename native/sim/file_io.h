// The recording file: positional writes (the writer goes back to rewrite the Segment size, SeekHead, Info and Tags in
// place), durability barriers, truncation. file_io_posix.cpp (descriptors, pwrite, fsync) and file_io_win32.cpp
// (handles, overlapped-offset WriteFile, FlushFileBuffers; UTF-8 paths) implement it. Every failure is reported, never
// thrown, and carries the system's text for the log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace k4sync {

class OutputFile
{
public:
    OutputFile() = default;
    ~OutputFile();
    OutputFile(const OutputFile &) = delete;
    OutputFile &operator=(const OutputFile &) = delete;

    // Creates the file, or truncates an existing one (k4a_record_create overwrites).
    bool open(const std::string &path, std::string *error);
    bool write_at(uint64_t position, const uint8_t *data, size_t size, std::string *error);
    bool truncate(uint64_t length, std::string *error);
    // Blocks until written data is on stable storage.
    bool sync(std::string *error);
    bool close(std::string *error);
    bool is_open() const noexcept;

private:
#if defined(_WIN32)
    void *handle_ = nullptr; // a HANDLE, kept as void * so that this header does not pull in <windows.h>
#else
    int fd_ = -1;
#endif
};

} // namespace k4sync
