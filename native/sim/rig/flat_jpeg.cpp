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
    // YCbCr 4:2:0 like the sensor's own MJPEG (ffmpeg also warns about single-component JPEGs it decodes).
    segment(out, 0xC0, {8, static_cast<uint8_t>(height >> 8), static_cast<uint8_t>(height & 0xFF),
                        static_cast<uint8_t>(width >> 8), static_cast<uint8_t>(width & 0xFF), 3, 1, 0x22, 0, 2, 0x11, 0,
                        3, 0x11, 0});
    // Two tables are enough. DC: category 0 is "0", category 1 is "10"; AC: end-of-block is "0". Luma DC steps
    // +1, -1, ... so the scan is not all zero bits: ffmpeg reports "EOI missing" for a perfectly flat scan.
    std::vector<uint8_t> dc(17, 0);
    dc[1] = 1;
    dc[2] = 1;
    dc.push_back(0x00);
    dc.push_back(0x01);
    segment(out, 0xC4, dc);
    std::vector<uint8_t> ac(17, 0);
    ac[0] = 0x10;
    ac[1] = 1;
    ac.push_back(0x00);
    segment(out, 0xC4, ac);
    segment(out, 0xDA, {3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0});
    // Each 16x16 MCU holds four luma blocks and one block of each chroma plane.
    size_t mcus = static_cast<size_t>((width + 15) / 16) * static_cast<size_t>((height + 15) / 16);
    BitWriter bits(out);
    for (size_t m = 0; m < mcus; m++)
    {
        for (int y = 0; y < 4; y++)
            bits.put(y % 2 == 0 ? 0b1010 : 0b1000, 4); // "10" category 1, sign bit, "0" end of block
        bits.put(0, 2);                               // Cb: DC unchanged, end of block
        bits.put(0, 2);                               // Cr
    }
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
