#include "k4a_track_format.h"

namespace k4sync {
namespace {

void put_le(std::vector<uint8_t> &out, uint32_t value, int bytes)
{
    for (int i = 0; i < bytes; i++)
        out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

} // namespace

bool color_resolution_size(k4a_color_resolution_t resolution, PixelSize *size)
{
    switch (resolution)
    {
    case K4A_COLOR_RESOLUTION_720P:
        *size = {1280, 720};
        return true;
    case K4A_COLOR_RESOLUTION_1080P:
        *size = {1920, 1080};
        return true;
    case K4A_COLOR_RESOLUTION_1440P:
        *size = {2560, 1440};
        return true;
    case K4A_COLOR_RESOLUTION_1536P:
        *size = {2048, 1536};
        return true;
    case K4A_COLOR_RESOLUTION_2160P:
        *size = {3840, 2160};
        return true;
    case K4A_COLOR_RESOLUTION_3072P:
        *size = {4096, 3072};
        return true;
    default:
        return false;
    }
}

bool depth_mode_size(k4a_depth_mode_t mode, PixelSize *size)
{
    switch (mode)
    {
    case K4A_DEPTH_MODE_NFOV_2X2BINNED:
        *size = {320, 288};
        return true;
    case K4A_DEPTH_MODE_NFOV_UNBINNED:
        *size = {640, 576};
        return true;
    case K4A_DEPTH_MODE_WFOV_2X2BINNED:
        *size = {512, 512};
        return true;
    case K4A_DEPTH_MODE_WFOV_UNBINNED:
    case K4A_DEPTH_MODE_PASSIVE_IR:
        *size = {1024, 1024};
        return true;
    default:
        return false;
    }
}

const char *depth_mode_name(k4a_depth_mode_t mode)
{
    switch (mode)
    {
    case K4A_DEPTH_MODE_NFOV_2X2BINNED:
        return "NFOV_2X2BINNED";
    case K4A_DEPTH_MODE_NFOV_UNBINNED:
        return "NFOV_UNBINNED";
    case K4A_DEPTH_MODE_WFOV_2X2BINNED:
        return "WFOV_2X2BINNED";
    case K4A_DEPTH_MODE_WFOV_UNBINNED:
        return "WFOV_UNBINNED";
    case K4A_DEPTH_MODE_PASSIVE_IR:
        return "PASSIVE_IR";
    default:
        return nullptr;
    }
}

std::string color_mode_name(k4a_image_format_t format, const PixelSize &size)
{
    const char *prefix = nullptr;
    switch (format)
    {
    case K4A_IMAGE_FORMAT_COLOR_MJPG:
        prefix = "MJPG_";
        break;
    case K4A_IMAGE_FORMAT_COLOR_NV12:
        prefix = "NV12_";
        break;
    case K4A_IMAGE_FORMAT_COLOR_YUY2:
        prefix = "YUY2_";
        break;
    case K4A_IMAGE_FORMAT_COLOR_BGRA32:
        prefix = "BGRA_";
        break;
    default:
        return std::string();
    }
    return prefix + std::to_string(size.height) + "P";
}

uint32_t fps_value(k4a_fps_t fps)
{
    switch (fps)
    {
    case K4A_FRAMES_PER_SECOND_5:
        return 5;
    case K4A_FRAMES_PER_SECOND_15:
        return 15;
    case K4A_FRAMES_PER_SECOND_30:
        return 30;
    default:
        return 0;
    }
}

std::vector<uint8_t> bitmap_info_header(const PixelSize &size, k4a_image_format_t format)
{
    uint16_t bit_count = 0;
    uint32_t fourcc = 0; // the four ASCII characters, read as a little-endian u32
    uint64_t image_size = 0;
    const uint64_t pixels = static_cast<uint64_t>(size.width) * size.height;
    switch (format)
    {
    case K4A_IMAGE_FORMAT_COLOR_MJPG:
        bit_count = 24;
        fourcc = 0x47504A4D; // "MJPG"
        image_size = 0;      // compressed: no fixed size
        break;
    case K4A_IMAGE_FORMAT_COLOR_NV12:
        bit_count = 12;
        fourcc = 0x3231564E; // "NV12"
        image_size = pixels * 3 / 2;
        break;
    case K4A_IMAGE_FORMAT_COLOR_YUY2:
        bit_count = 16;
        fourcc = 0x32595559; // "YUY2"
        image_size = pixels * 2;
        break;
    case K4A_IMAGE_FORMAT_COLOR_BGRA32:
        bit_count = 32;
        fourcc = 0x41524742; // "BGRA"
        image_size = pixels * 4;
        break;
    case K4A_IMAGE_FORMAT_DEPTH16:
    case K4A_IMAGE_FORMAT_IR16:
        bit_count = 16;
        fourcc = 0x67363162; // "b16g": 16-bit grey, big-endian, which ffmpeg understands
        image_size = pixels * 2;
        break;
    default:
        return {};
    }
    if (image_size > UINT32_MAX)
        return {};

    std::vector<uint8_t> header;
    header.reserve(40);
    put_le(header, 40, 4);          // biSize
    put_le(header, size.width, 4);  // biWidth
    put_le(header, size.height, 4); // biHeight (positive, as k4arecord writes it)
    put_le(header, 1, 2);           // biPlanes
    put_le(header, bit_count, 2);   // biBitCount
    put_le(header, fourcc, 4);      // biCompression
    put_le(header, static_cast<uint32_t>(image_size), 4);
    put_le(header, 0, 4); // biXPelsPerMeter
    put_le(header, 0, 4); // biYPelsPerMeter
    put_le(header, 0, 4); // biClrUsed
    put_le(header, 0, 4); // biClrImportant
    return header;
}

} // namespace k4sync
