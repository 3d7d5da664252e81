// Internal layout of the image and capture handles behind k4a_image_t / k4a_capture_t (see k4a_api.h).
//
// Both are reference counted the way the SDK documents: create returns one reference, *_reference adds one,
// *_release drops one, and the last release frees. Counts are atomic because captures are handed between the sensor
// thread and the writer thread. A magic number catches handles of the wrong type (or already destroyed, as far as
// that can be caught) before they are used.
#pragma once

#include "k4a_api.h"

#include <atomic>
#include <cstdint>
#include <mutex>

struct _k4a_image_t
{
    static constexpr uint32_t kMagic = 0x4B34494D; // "K4IM"

    std::atomic<uint32_t> magic{kMagic};
    std::atomic<int32_t> references{1};

    k4a_image_format_t format = K4A_IMAGE_FORMAT_CUSTOM;
    int width_pixels = 0;
    int height_pixels = 0;
    int stride_bytes = 0;
    uint8_t *buffer = nullptr;
    size_t buffer_size = 0;

    // Called with buffer when the last reference goes; for k4a_image_create it frees our own allocation.
    k4a_memory_destroy_cb_t *release_callback = nullptr;
    void *release_context = nullptr;

    std::atomic<uint64_t> device_timestamp_usec{0};
    std::atomic<uint64_t> system_timestamp_nsec{0};
};

struct _k4a_capture_t
{
    static constexpr uint32_t kMagic = 0x4B344350; // "K4CP"

    std::atomic<uint32_t> magic{kMagic};
    std::atomic<int32_t> references{1};

    std::mutex lock; // guards the three image slots
    k4a_image_t color = nullptr;
    k4a_image_t depth = nullptr;
    k4a_image_t ir = nullptr;
};

namespace k4sync {

// True for a live handle of the right type. NULL is not valid.
bool is_valid_image(k4a_image_t image) noexcept;
bool is_valid_capture(k4a_capture_t capture) noexcept;

} // namespace k4sync
