#include "block_writer.h"

#include "matroska_ids.h"

#include <cstddef>
#include <cstdint>

namespace k4sync::mkv {
namespace {

enum class Lacing
{
    kNone,
    kXiph,
    kFixed,
    kEbml,
};

// Flag bits for each lacing kind (bits 1-2 of the block flags byte).
uint8_t lacing_flags(Lacing lacing)
{
    switch (lacing)
    {
    case Lacing::kXiph:
        return 0x02;
    case Lacing::kFixed:
        return 0x04;
    case Lacing::kEbml:
        return 0x06;
    case Lacing::kNone:
        break;
    }
    return 0x00;
}

// Signed EBML lace deltas: a length-L field carries values in [-(2^(7L-1)-1), 2^(7L-1)-1]. (libmatroska accepts one
// more value at the top of each range, which then encodes as the reserved all-ones pattern; we stay within the
// Matroska definition instead.)
int signed_vint_length(int64_t value)
{
    for (int length = 1; length <= 8; length++)
    {
        const int64_t bound = (int64_t{1} << (7 * length - 1)) - 1;
        if (value >= -bound && value <= bound)
            return length;
    }
    return 0;
}

void put_signed_vint(ebml::Bytes &out, int64_t value, int length)
{
    const int64_t bias = (int64_t{1} << (7 * length - 1)) - 1;
    ebml::put_size(out, static_cast<uint64_t>(value + bias), length);
}

// Mirrors libmatroska's choice for LACING_AUTO: fixed when all frames are equal, otherwise Xiph only if strictly
// smaller than EBML.
Lacing choose_lacing(const std::vector<FrameRef> &frames, bool *ok)
{
    *ok = true;
    if (frames.size() <= 1)
        return Lacing::kNone;
    bool same_size = true;
    uint64_t xiph_bytes = 1;
    uint64_t ebml_bytes = 1;
    for (size_t i = 0; i + 1 < frames.size(); i++)
    {
        if (frames[i].size != frames[i + 1].size)
            same_size = false;
        xiph_bytes += frames[i].size / 255 + 1;
    }
    if (same_size)
        return Lacing::kFixed;
    const int first = ebml::size_field_length(frames[0].size);
    if (first == 0)
    {
        *ok = false;
        return Lacing::kNone;
    }
    ebml_bytes += static_cast<uint64_t>(first);
    for (size_t i = 1; i + 1 < frames.size(); i++)
    {
        const int64_t delta = static_cast<int64_t>(frames[i].size) - static_cast<int64_t>(frames[i - 1].size);
        const int length = signed_vint_length(delta);
        if (length == 0)
        {
            *ok = false;
            return Lacing::kNone;
        }
        ebml_bytes += static_cast<uint64_t>(length);
    }
    return xiph_bytes < ebml_bytes ? Lacing::kXiph : Lacing::kEbml;
}

void put_block_header(ebml::Bytes &out, uint32_t track_number, int16_t relative_time, uint8_t flags)
{
    if (track_number < 0x80)
    {
        out.push_back(static_cast<uint8_t>(0x80 | track_number));
    }
    else
    {
        out.push_back(static_cast<uint8_t>(0x40 | (track_number >> 8)));
        out.push_back(static_cast<uint8_t>(track_number & 0xFF));
    }
    const auto raw = static_cast<uint16_t>(relative_time);
    out.push_back(static_cast<uint8_t>(raw >> 8));
    out.push_back(static_cast<uint8_t>(raw & 0xFF));
    out.push_back(flags);
}

bool valid_track(uint32_t track_number)
{
    return track_number >= 1 && track_number <= kMaxBlockTrackNumber;
}

} // namespace

bool append_simple_block(ebml::Bytes &out, uint32_t track_number, int16_t relative_time, const FrameRef &frame)
{
    if (!valid_track(track_number) || (frame.data == nullptr && frame.size != 0))
        return false;
    const uint64_t header_size = track_number < 0x80 ? 4 : 5;
    if (frame.size > ebml::kMaxElementSize - header_size)
        return false;
    if (!ebml::put_header(out, id::kSimpleBlock, header_size + frame.size))
        return false;
    put_block_header(out, track_number, relative_time, 0x80);
    if (frame.size > 0)
        out.insert(out.end(), frame.data, frame.data + frame.size);
    return true;
}

bool append_block_group(ebml::Bytes &out,
                        uint32_t track_number,
                        int16_t relative_time,
                        const std::vector<FrameRef> &frames,
                        uint64_t duration)
{
    if (!valid_track(track_number) || frames.empty() || frames.size() > kMaxFramesPerLace)
        return false;
    bool ok = true;
    const Lacing lacing = choose_lacing(frames, &ok);
    if (!ok)
        return false;

    ebml::Bytes block;
    uint64_t payload = 0;
    for (const FrameRef &frame : frames)
    {
        if (frame.data == nullptr && frame.size != 0)
            return false;
        if (frame.size > ebml::kMaxElementSize - payload)
            return false;
        payload += frame.size;
    }
    // Block flags carry no keyframe bit (that bit only exists in SimpleBlocks), only the lacing kind.
    put_block_header(block, track_number, relative_time, lacing_flags(lacing));
    if (lacing != Lacing::kNone)
        block.push_back(static_cast<uint8_t>(frames.size() - 1));
    switch (lacing)
    {
    case Lacing::kXiph:
        for (size_t i = 0; i + 1 < frames.size(); i++)
        {
            size_t remaining = frames[i].size;
            while (remaining >= 255)
            {
                block.push_back(255);
                remaining -= 255;
            }
            block.push_back(static_cast<uint8_t>(remaining));
        }
        break;
    case Lacing::kEbml:
        ebml::put_size(block, frames[0].size);
        for (size_t i = 1; i + 1 < frames.size(); i++)
        {
            const int64_t delta = static_cast<int64_t>(frames[i].size) - static_cast<int64_t>(frames[i - 1].size);
            put_signed_vint(block, delta, signed_vint_length(delta));
        }
        break;
    case Lacing::kFixed:
    case Lacing::kNone:
        break;
    }
    if (payload > ebml::kMaxElementSize - block.size())
        return false;
    const uint64_t block_size = block.size() + payload;

    ebml::Bytes duration_element;
    ebml::put_uint(duration_element, id::kBlockDuration, duration);
    const uint64_t block_total = ebml::element_total_size(id::kBlock, block_size);
    if (block_total == 0 || block_total > ebml::kMaxElementSize - duration_element.size())
        return false;
    if (!ebml::put_header(out, id::kBlockGroup, block_total + duration_element.size()))
        return false;
    ebml::put_header(out, id::kBlock, block_size);
    out.insert(out.end(), block.begin(), block.end());
    for (const FrameRef &frame : frames)
        if (frame.size > 0)
            out.insert(out.end(), frame.data, frame.data + frame.size);
    out.insert(out.end(), duration_element.begin(), duration_element.end());
    return true;
}

} // namespace k4sync::mkv
