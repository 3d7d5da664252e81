// What an Azure Kinect configuration means for the file: pixel sizes, mode strings for the K4A_* tags, and the
// 40-byte BITMAPINFOHEADER k4arecord stores as CodecPrivate of the V_MS/VFW/FOURCC tracks (spec §1.4).
#pragma once

#include "k4a_api.h"

#include <cstdint>
#include <string>
#include <vector>

namespace k4sync {

struct PixelSize
{
    uint32_t width = 0;
    uint32_t height = 0;
};

// false for OFF or a value outside the enum.
bool color_resolution_size(k4a_color_resolution_t resolution, PixelSize *size);
bool depth_mode_size(k4a_depth_mode_t mode, PixelSize *size);

// "NFOV_UNBINNED", ...; nullptr for OFF or unknown.
const char *depth_mode_name(k4a_depth_mode_t mode);

// K4A_COLOR_MODE value, e.g. "MJPG_1080P"; empty when the format cannot be recorded as colour.
std::string color_mode_name(k4a_image_format_t format, const PixelSize &size);

// 5, 15 or 30; 0 for a value outside the enum.
uint32_t fps_value(k4a_fps_t fps);

// The CodecPrivate bytes, little-endian; empty for a format k4arecord cannot store (CUSTOM*).
std::vector<uint8_t> bitmap_info_header(const PixelSize &size, k4a_image_format_t format);

} // namespace k4sync
