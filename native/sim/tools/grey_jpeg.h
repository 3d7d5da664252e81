// A valid baseline JPEG of a flat grey picture, small enough to write 30 times a second: decoders (ffmpeg's MJPEG
// included) accept it, so ffprobe can read the colour track's parameters the way it does for real Azure Kinect MJPG.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace k4sync::test {

// width and height must be multiples of 8. A COM segment carries `comment` (at most 65533 bytes).
std::vector<uint8_t> grey_jpeg(int width, int height, uint8_t level, const std::string &comment);

} // namespace k4sync::test
