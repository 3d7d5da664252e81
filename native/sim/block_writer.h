// Renders the two block forms k4arecord produces: a SimpleBlock per video/custom frame, and a BlockGroup holding one
// laced Block plus BlockDuration for a run of high-frequency samples (IMU, custom subtitle tracks with
// high_freq_data).
#pragma once

#include "ebml.h"

#include <cstdint>
#include <vector>

namespace k4sync::mkv {

// Highest track number a 2-byte block track field can carry; the writer never creates more tracks than this.
constexpr uint32_t kMaxBlockTrackNumber = 0x3FFF;
// The lace count is one byte holding count - 1.
constexpr size_t kMaxFramesPerLace = 256;

struct FrameRef
{
    const uint8_t *data = nullptr;
    size_t size = 0;
};

// SimpleBlock, flags 0x80: keyframe, not discardable, not invisible, no lacing.
bool append_simple_block(ebml::Bytes &out, uint32_t track_number, int16_t relative_time, const FrameRef &frame);

// BlockGroup { Block (1..256 frames, lacing chosen like libmatroska's LACING_AUTO), BlockDuration }.
// duration is in timecode units (µs here).
bool append_block_group(ebml::Bytes &out,
                        uint32_t track_number,
                        int16_t relative_time,
                        const std::vector<FrameRef> &frames,
                        uint64_t duration);

} // namespace k4sync::mkv
