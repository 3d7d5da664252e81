#include "flat_jpeg.h"

#include <algorithm>

namespace k4sync::sim {
namespace {

constexpr size_t kMaxSegmentBody = 65533;
constexpr size_t kSegmentOverhead = 4; // marker + length
constexpr size_t kEoiFill = 32;

void marker(std::vector<uint8_t> &out, uint8_t code)
{
    out.push_back(0xFF);
    out.push_back(code);
}

// A segment's length field counts itself but not the marker.
void segment(std::vector<uint8_t> &out, uint8_t code, const std::vector<uint8_t> &body)
{
    marker(out, code);
    size_t length = body.size() + 2;
    out.push_back(static_cast<uint8_t>(length >> 8));
    out.push_back(static_cast<uint8_t>(length & 0xFF));
    out.insert(out.end(), body.begin(), body.end());
}

// Entropy-coded data, most significant bit first; the last byte is padded with 1-bits as JPEG requires. The
// codes used here never produce eight 1-bits in a row, so no 0xFF byte needs stuffing.
class BitWriter
{
public:
    explicit BitWriter(std::vector<uint8_t> &out) : out_(out) {}
    void put(uint32_t value, int count)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            acc_ = static_cast<uint8_t>((acc_ << 1) | ((value >> i) & 1));
            if (++n_ == 8)
                flush();
        }
    }
    void finish()
    {
        while (n_ != 0)
            put(1, 1);
    }

private:
    void flush()
    {
        out_.push_back(acc_);
        acc_ = 0;
        n_ = 0;
    }
    std::vector<uint8_t> &out_;
    uint8_t acc_ = 0;
    int n_ = 0;
};

// Everything after SOI up to and including EOI: tables, frame header, scan and entropy-coded data.
std::vector<uint8_t> image_body(int width, int height)
{
    std::vector<uint8_t> out;
    std::vector<uint8_t> dqt(65, 1);
    dqt[0] = 0; // 8-bit table 0
    segment(out, 0xDB, dqt);
    // One grey component keeps tiny takes small (2 bits per 8x8 block) while every decoder still reads the image at
    // the size the track declares (ffmpeg treats a JPEG much shorter than its track as an interlaced field).
    segment(out, 0xC0, {8, static_cast<uint8_t>(height >> 8), static_cast<uint8_t>(height & 0xFF),
                        static_cast<uint8_t>(width >> 8), static_cast<uint8_t>(width & 0xFF), 1, 1, 0x11, 0});
    // A flat image needs two symbols only: DC difference category 0, and end-of-block. Each table holds one code of
    // length 1 ("0"), so every block is the two bits "00" and no 0xFF byte (which would need stuffing) can occur.
    std::vector<uint8_t> table(17, 0);
    table[1] = 1;
    table.push_back(0x00);
    segment(out, 0xC4, table); // DC table 0
    table[0] = 0x10;
    segment(out, 0xC4, table); // AC table 0
    segment(out, 0xDA, {1, 1, 0x00, 0, 63, 0});
    size_t blocks = static_cast<size_t>((width + 7) / 8) * static_cast<size_t>((height + 7) / 8);
    BitWriter bits(out);
    for (size_t b = 0; b < blocks; b++)
        bits.put(0, 2);
    bits.finish();
    // JPEG allows 0xFF fill bytes before any marker. ffmpeg's decoder steps past the end of a scan this short by a few
    // bytes and would miss EOI ("EOI missing, emulating"); the fill gives it room to land before the marker.
    out.insert(out.end(), kEoiFill, 0xFF);
    marker(out, 0xD9);
    return out;
}

} // namespace

std::vector<uint8_t> flat_jpeg(int width, int height, const std::string &label, size_t target_bytes)
{
    std::vector<uint8_t> out;
    marker(out, 0xD8);
    segment(out, 0xE0, {'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0});
    segment(out, 0xFE, std::vector<uint8_t>(label.begin(), label.begin() + static_cast<long>(std::min(label.size(), kMaxSegmentBody))));
    std::vector<uint8_t> body = image_body(width, height);
    // Real MJPEG frames are 100-200 KB; comment segments before the tables bring a frame to that size.
    size_t need = target_bytes > out.size() + body.size() ? target_bytes - out.size() - body.size() : 0;
    while (need > kSegmentOverhead)
    {
        size_t n = std::min(need - kSegmentOverhead, kMaxSegmentBody);
        segment(out, 0xFE, std::vector<uint8_t>(n, 'k'));
        need -= n + kSegmentOverhead;
    }
    out.insert(out.end(), body.begin(), body.end());
    return out;
}

} // namespace k4sync::sim
