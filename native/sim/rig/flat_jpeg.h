// Colour payloads for the simulated rig: real baseline JPEGs (a flat grey image of the track's size) that ffmpeg,
// ffprobe and the SDK decode without complaint, labelled with a comment, and padded with comment segments to the
// size a real MJPEG frame has when a realistic take is wanted.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace k4sync::sim {

std::vector<uint8_t> flat_jpeg(int width, int height, const std::string &label, size_t target_bytes);

} // namespace k4sync::sim
