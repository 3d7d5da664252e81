#include "crc32.h"

#include <array>

namespace k4sync {
namespace {

// Slicing-by-4: clusters hold two full-size depth/IR frames (2 x 737 KB at 30 fps), so a bytewise loop would cost
// noticeably more CPU than the write itself.
using Table = std::array<std::array<uint32_t, 256>, 4>;

Table make_table() noexcept
{
    Table table{};
    for (uint32_t i = 0; i < 256; i++)
    {
        uint32_t c = i;
        for (int bit = 0; bit < 8; bit++)
            c = (c & 1u) ? (0xEDB88320u ^ (c >> 1)) : (c >> 1);
        table[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; i++)
        for (size_t k = 1; k < 4; k++)
            table[k][i] = (table[k - 1][i] >> 8) ^ table[0][table[k - 1][i] & 0xFFu];
    return table;
}

const Table &table() noexcept
{
    static const Table t = make_table();
    return t;
}

} // namespace

uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t size) noexcept
{
    const Table &t = table();
    uint32_t c = ~crc;
    while (size >= 4)
    {
        c ^= static_cast<uint32_t>(data[0]) | (static_cast<uint32_t>(data[1]) << 8) |
             (static_cast<uint32_t>(data[2]) << 16) | (static_cast<uint32_t>(data[3]) << 24);
        c = t[3][c & 0xFFu] ^ t[2][(c >> 8) & 0xFFu] ^ t[1][(c >> 16) & 0xFFu] ^ t[0][c >> 24];
        data += 4;
        size -= 4;
    }
    while (size-- > 0)
        c = t[0][(c ^ *data++) & 0xFFu] ^ (c >> 8);
    return ~c;
}

} // namespace k4sync
