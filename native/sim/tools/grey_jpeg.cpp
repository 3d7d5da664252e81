#include "grey_jpeg.h"

namespace k4sync::test {
namespace {

void put_u16(std::vector<uint8_t> &out, unsigned value)
{
    out.push_back(static_cast<uint8_t>(value >> 8));
    out.push_back(static_cast<uint8_t>(value & 0xFF));
}

void put_segment(std::vector<uint8_t> &out, uint8_t marker, const std::vector<uint8_t> &body)
{
    out.push_back(0xFF);
    out.push_back(marker);
    put_u16(out, static_cast<unsigned>(body.size() + 2));
    out.insert(out.end(), body.begin(), body.end());
}

// Entropy-coded data with 0xFF byte stuffing.
class BitWriter
{
public:
    explicit BitWriter(std::vector<uint8_t> &out) : out_(out) {}
    void put(uint32_t bits, int count)
    {
        for (int i = count - 1; i >= 0; i--)
        {
            current_ = static_cast<uint8_t>((current_ << 1) | ((bits >> i) & 1u));
            if (++filled_ == 8)
                emit();
        }
    }
    void finish()
    {
        while (filled_ != 0)
            put(1, 1); // pad with one-bits, as the standard asks
    }

private:
    void emit()
    {
        out_.push_back(current_);
        if (current_ == 0xFF)
            out_.push_back(0x00);
        current_ = 0;
        filled_ = 0;
    }
    std::vector<uint8_t> &out_;
    uint8_t current_ = 0;
    int filled_ = 0;
};

} // namespace

std::vector<uint8_t> grey_jpeg(int width, int height, uint8_t level, const std::string &comment)
{
    std::vector<uint8_t> out = {0xFF, 0xD8}; // SOI
    put_segment(out, 0xE0, {'J', 'F', 'I', 'F', 0, 1, 1, 0, 0, 1, 0, 1, 0, 0}); // APP0 JFIF 1.01, 1:1
    put_segment(out, 0xFE, std::vector<uint8_t>(comment.begin(), comment.end()));

    // Quantiser 8 everywhere: a flat block's DC coefficient 8*(level-128) then quantises to level-128 exactly.
    std::vector<uint8_t> dqt = {0x00};
    dqt.insert(dqt.end(), 64, 8);
    put_segment(out, 0xDB, dqt);

    // One 8-bit greyscale component, no subsampling.
    put_segment(out,
                0xC0,
                {8,
                 static_cast<uint8_t>(height >> 8),
                 static_cast<uint8_t>(height & 0xFF),
                 static_cast<uint8_t>(width >> 8),
                 static_cast<uint8_t>(width & 0xFF),
                 1,
                 1,
                 0x11,
                 0});

    // Huffman tables tailored to a flat picture: DC category 0 is the 1-bit code "0", categories 1..11 get 5-bit
    // codes 10000..11010; the AC table holds only end-of-block, as the 1-bit code "0". Every block after the first
    // thus costs 2 bits.
    std::vector<uint8_t> dht_dc = {0x00, 1, 0, 0, 0, 11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    for (uint8_t category = 0; category <= 11; category++)
        dht_dc.push_back(category);
    put_segment(out, 0xC4, dht_dc);
    put_segment(out, 0xC4, {0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00});

    put_segment(out, 0xDA, {1, 1, 0x00, 0, 63, 0}); // SOS: component 1, tables 0/0, full spectral range

    BitWriter bits(out);
    const int blocks = (width / 8) * (height / 8);
    const int first_dc = static_cast<int>(level) - 128;
    for (int block = 0; block < blocks; block++)
    {
        const int diff = block == 0 ? first_dc : 0;
        if (diff == 0)
        {
            bits.put(0, 1);
        }
        else
        {
            int category = 0;
            for (int magnitude = diff < 0 ? -diff : diff; magnitude != 0; magnitude >>= 1)
                category++;
            bits.put(0x10u + static_cast<uint32_t>(category - 1), 5);
            // Negative values are sent as diff + 2^category - 1 (one's complement of the magnitude).
            const int coded = diff > 0 ? diff : diff + (1 << category) - 1;
            bits.put(static_cast<uint32_t>(coded), category);
        }
        bits.put(0, 1); // end of block: every AC coefficient is zero
    }
    bits.finish();
    out.push_back(0xFF);
    out.push_back(0xD9); // EOI
    return out;
}

} // namespace k4sync::test
