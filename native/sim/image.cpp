// k4a_image_*: images that own their memory (k4a_image_create) or wrap the caller's (k4a_image_create_from_buffer).
#include "capture.h"
#include "log.h"

#include <cstdlib>
#include <limits>
#include <new>

namespace k4sync {

bool is_valid_image(k4a_image_t image) noexcept
{
    return image != nullptr && image->magic.load(std::memory_order_relaxed) == _k4a_image_t::kMagic;
}

} // namespace k4sync

namespace {

// The SDK's limit on image dimensions.
constexpr int kMaxDimension = 20000;

void free_owned_buffer(void *buffer, void * /*context*/)
{
    std::free(buffer);
}

// Buffer size and default stride per format, with the SDK's rules: stride 0 means "tightly packed", a stride shorter
// than a row is an error, NV12 and YUY2 need even sizes, MJPG has no fixed size and cannot be created this way.
bool compute_layout(k4a_image_format_t format, int width, int height, int *stride, size_t *size)
{
    int bytes_per_pixel = 0;
    switch (format)
    {
    case K4A_IMAGE_FORMAT_COLOR_MJPG:
        K4S_LOG_ERROR("K4A_IMAGE_FORMAT_COLOR_MJPG does not have a constant stride; its size cannot be calculated.");
        return false;
    case K4A_IMAGE_FORMAT_COLOR_NV12:
        if (width % 2 != 0 || height % 2 != 0)
        {
            K4S_LOG_ERROR("NV12 needs an even width and height (got %dx%d).", width, height);
            return false;
        }
        bytes_per_pixel = 1;
        break;
    case K4A_IMAGE_FORMAT_COLOR_YUY2:
        if (width % 2 != 0)
        {
            K4S_LOG_ERROR("YUY2 needs an even width (got %d).", width);
            return false;
        }
        bytes_per_pixel = 2;
        break;
    case K4A_IMAGE_FORMAT_CUSTOM8:
        bytes_per_pixel = 1;
        break;
    case K4A_IMAGE_FORMAT_DEPTH16:
    case K4A_IMAGE_FORMAT_IR16:
    case K4A_IMAGE_FORMAT_CUSTOM16:
        bytes_per_pixel = 2;
        break;
    case K4A_IMAGE_FORMAT_COLOR_BGRA32:
        bytes_per_pixel = 4;
        break;
    case K4A_IMAGE_FORMAT_CUSTOM:
        // No pixel size is known: the caller's stride is taken as given.
        break;
    default:
        K4S_LOG_ERROR("Unknown image format %d.", static_cast<int>(format));
        return false;
    }
    if (bytes_per_pixel > 0)
    {
        const long long row = static_cast<long long>(width) * bytes_per_pixel;
        if (*stride == 0)
            *stride = static_cast<int>(row);
        if (*stride < row)
        {
            K4S_LOG_ERROR("Insufficient stride (%d bytes) for an image %d pixels wide.", *stride, width);
            return false;
        }
    }
    if (*stride <= 0)
    {
        K4S_LOG_ERROR("Image stride must be positive (got %d).", *stride);
        return false;
    }
    size_t bytes = static_cast<size_t>(height) * static_cast<size_t>(*stride);
    if (format == K4A_IMAGE_FORMAT_COLOR_NV12)
        bytes = bytes * 3 / 2; // the interleaved chroma plane follows the luma rows
    *size = bytes;
    return true;
}

k4a_result_t make_image(k4a_image_format_t format,
                        int width,
                        int height,
                        int stride,
                        uint8_t *buffer,
                        size_t size,
                        k4a_memory_destroy_cb_t *release_callback,
                        void *release_context,
                        k4a_image_t *image_handle)
{
    auto *image = new (std::nothrow) _k4a_image_t;
    if (image == nullptr)
        return K4A_RESULT_FAILED;
    image->format = format;
    image->width_pixels = width;
    image->height_pixels = height;
    image->stride_bytes = stride;
    image->buffer = buffer;
    image->buffer_size = size;
    image->release_callback = release_callback;
    image->release_context = release_context;
    *image_handle = image;
    return K4A_RESULT_SUCCEEDED;
}

bool valid_dimensions(int width, int height)
{
    if (width <= 0 || width > kMaxDimension || height <= 0 || height > kMaxDimension)
    {
        K4S_LOG_ERROR("Invalid image size %dx%d.", width, height);
        return false;
    }
    return true;
}

} // namespace

extern "C" {

k4a_result_t k4a_image_create(k4a_image_format_t format,
                              int width_pixels,
                              int height_pixels,
                              int stride_bytes,
                              k4a_image_t *image_handle)
{
    if (image_handle == nullptr)
        return K4A_RESULT_FAILED;
    *image_handle = nullptr;
    if (!valid_dimensions(width_pixels, height_pixels))
        return K4A_RESULT_FAILED;
    size_t size = 0;
    if (!compute_layout(format, width_pixels, height_pixels, &stride_bytes, &size) || size == 0)
        return K4A_RESULT_FAILED;
    // calloc: callers that fill only part of a frame must not leak earlier heap contents into a recording.
    auto *buffer = static_cast<uint8_t *>(std::calloc(size, 1));
    if (buffer == nullptr)
    {
        K4S_LOG_ERROR("Out of memory allocating a %zu-byte image.", size);
        return K4A_RESULT_FAILED;
    }
    const k4a_result_t result = make_image(
        format, width_pixels, height_pixels, stride_bytes, buffer, size, free_owned_buffer, nullptr, image_handle);
    if (K4A_FAILED(result))
        std::free(buffer);
    return result;
}

k4a_result_t k4a_image_create_from_buffer(k4a_image_format_t format,
                                          int width_pixels,
                                          int height_pixels,
                                          int stride_bytes,
                                          uint8_t *buffer,
                                          size_t buffer_size,
                                          k4a_memory_destroy_cb_t *buffer_release_cb,
                                          void *buffer_release_cb_context,
                                          k4a_image_t *image_handle)
{
    // On failure the buffer stays the caller's and the callback is not called (the SDK's contract).
    if (image_handle == nullptr)
        return K4A_RESULT_FAILED;
    *image_handle = nullptr;
    if (static_cast<int>(format) < K4A_IMAGE_FORMAT_COLOR_MJPG || static_cast<int>(format) > K4A_IMAGE_FORMAT_CUSTOM ||
        !valid_dimensions(width_pixels, height_pixels) || buffer == nullptr || buffer_size == 0)
        return K4A_RESULT_FAILED;
    return make_image(format,
                      width_pixels,
                      height_pixels,
                      stride_bytes,
                      buffer,
                      buffer_size,
                      buffer_release_cb,
                      buffer_release_cb_context,
                      image_handle);
}

void k4a_image_reference(k4a_image_t image_handle)
{
    if (!k4sync::is_valid_image(image_handle))
        return;
    image_handle->references.fetch_add(1, std::memory_order_relaxed);
}

void k4a_image_release(k4a_image_t image_handle)
{
    if (!k4sync::is_valid_image(image_handle))
        return;
    // acq_rel: the thread that frees must see every write made through the other references.
    if (image_handle->references.fetch_sub(1, std::memory_order_acq_rel) != 1)
        return;
    image_handle->magic.store(0, std::memory_order_relaxed);
    if (image_handle->release_callback != nullptr)
    {
        try
        {
            image_handle->release_callback(image_handle->buffer, image_handle->release_context);
        }
        catch (...)
        {
            // A C++ caller's callback must not unwind through a C function.
            K4S_LOG_ERROR("An image release callback threw; ignored.");
        }
    }
    delete image_handle;
}

uint8_t *k4a_image_get_buffer(k4a_image_t image_handle)
{
    return k4sync::is_valid_image(image_handle) ? image_handle->buffer : nullptr;
}

size_t k4a_image_get_size(k4a_image_t image_handle)
{
    return k4sync::is_valid_image(image_handle) ? image_handle->buffer_size : 0;
}

k4a_image_format_t k4a_image_get_format(k4a_image_t image_handle)
{
    // The SDK returns CUSTOM for an invalid handle.
    return k4sync::is_valid_image(image_handle) ? image_handle->format : K4A_IMAGE_FORMAT_CUSTOM;
}

int k4a_image_get_width_pixels(k4a_image_t image_handle)
{
    return k4sync::is_valid_image(image_handle) ? image_handle->width_pixels : 0;
}

int k4a_image_get_height_pixels(k4a_image_t image_handle)
{
    return k4sync::is_valid_image(image_handle) ? image_handle->height_pixels : 0;
}

int k4a_image_get_stride_bytes(k4a_image_t image_handle)
{
    return k4sync::is_valid_image(image_handle) ? image_handle->stride_bytes : 0;
}

uint64_t k4a_image_get_device_timestamp_usec(k4a_image_t image_handle)
{
    return k4sync::is_valid_image(image_handle) ? image_handle->device_timestamp_usec.load() : 0;
}

void k4a_image_set_device_timestamp_usec(k4a_image_t image_handle, uint64_t timestamp_usec)
{
    if (k4sync::is_valid_image(image_handle))
        image_handle->device_timestamp_usec.store(timestamp_usec);
}

uint64_t k4a_image_get_system_timestamp_nsec(k4a_image_t image_handle)
{
    return k4sync::is_valid_image(image_handle) ? image_handle->system_timestamp_nsec.load() : 0;
}

void k4a_image_set_system_timestamp_nsec(k4a_image_t image_handle, uint64_t timestamp_nsec)
{
    if (k4sync::is_valid_image(image_handle))
        image_handle->system_timestamp_nsec.store(timestamp_nsec);
}

} // extern "C"
