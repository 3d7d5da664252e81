// k4a_capture_*: a capture holds up to one colour, one depth and one IR image, each by reference.
#include "capture.h"
#include "log.h"

#include <new>

namespace k4sync {

bool is_valid_capture(k4a_capture_t capture) noexcept
{
    return capture != nullptr && capture->magic.load(std::memory_order_relaxed) == _k4a_capture_t::kMagic;
}

} // namespace k4sync

namespace {

// Getter: the caller receives its own reference.
k4a_image_t get_slot(k4a_capture_t capture, k4a_image_t _k4a_capture_t::*slot) noexcept
{
    if (!k4sync::is_valid_capture(capture))
        return nullptr;
    try
    {
        std::lock_guard<std::mutex> guard(capture->lock);
        k4a_image_t image = capture->*slot;
        if (image != nullptr)
            k4a_image_reference(image);
        return image;
    }
    catch (...)
    {
        K4S_LOG_ERROR("k4a_capture_get_*_image: could not lock the capture.");
        return nullptr;
    }
}

// Setter: the capture takes its own reference and drops the image it replaces. NULL clears the slot.
void set_slot(k4a_capture_t capture, k4a_image_t _k4a_capture_t::*slot, k4a_image_t image) noexcept
{
    if (!k4sync::is_valid_capture(capture))
        return;
    if (image != nullptr && !k4sync::is_valid_image(image))
    {
        K4S_LOG_ERROR("k4a_capture_set_*_image: invalid image handle.");
        return;
    }
    if (image != nullptr)
        k4a_image_reference(image);
    k4a_image_t previous = nullptr;
    try
    {
        std::lock_guard<std::mutex> guard(capture->lock);
        previous = capture->*slot;
        capture->*slot = image;
    }
    catch (...)
    {
        K4S_LOG_ERROR("k4a_capture_set_*_image: could not lock the capture.");
        k4a_image_release(image); // undo the reference taken for the slot
        return;
    }
    // Released outside the lock: a release callback may do anything, including touching this capture.
    if (previous != nullptr)
        k4a_image_release(previous);
}

} // namespace

extern "C" {

k4a_result_t k4a_capture_create(k4a_capture_t *capture_handle)
{
    if (capture_handle == nullptr)
        return K4A_RESULT_FAILED;
    *capture_handle = new (std::nothrow) _k4a_capture_t;
    return *capture_handle != nullptr ? K4A_RESULT_SUCCEEDED : K4A_RESULT_FAILED;
}

void k4a_capture_reference(k4a_capture_t capture_handle)
{
    if (!k4sync::is_valid_capture(capture_handle))
        return;
    capture_handle->references.fetch_add(1, std::memory_order_relaxed);
}

void k4a_capture_release(k4a_capture_t capture_handle)
{
    if (!k4sync::is_valid_capture(capture_handle))
        return;
    if (capture_handle->references.fetch_sub(1, std::memory_order_acq_rel) != 1)
        return;
    capture_handle->magic.store(0, std::memory_order_relaxed);
    // Last reference: nobody else can reach the slots any more, so no lock is needed.
    k4a_image_release(capture_handle->color);
    k4a_image_release(capture_handle->depth);
    k4a_image_release(capture_handle->ir);
    delete capture_handle;
}

k4a_image_t k4a_capture_get_color_image(k4a_capture_t capture_handle)
{
    return get_slot(capture_handle, &_k4a_capture_t::color);
}

k4a_image_t k4a_capture_get_depth_image(k4a_capture_t capture_handle)
{
    return get_slot(capture_handle, &_k4a_capture_t::depth);
}

k4a_image_t k4a_capture_get_ir_image(k4a_capture_t capture_handle)
{
    return get_slot(capture_handle, &_k4a_capture_t::ir);
}

void k4a_capture_set_color_image(k4a_capture_t capture_handle, k4a_image_t image_handle)
{
    set_slot(capture_handle, &_k4a_capture_t::color, image_handle);
}

void k4a_capture_set_depth_image(k4a_capture_t capture_handle, k4a_image_t image_handle)
{
    set_slot(capture_handle, &_k4a_capture_t::depth, image_handle);
}

void k4a_capture_set_ir_image(k4a_capture_t capture_handle, k4a_image_t image_handle)
{
    set_slot(capture_handle, &_k4a_capture_t::ir, image_handle);
}

} // extern "C"
