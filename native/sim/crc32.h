// CRC-32 as Matroska's CRC-32 element uses it (IEEE 802.3, reflected polynomial 0xEDB88320, initial value and final
// xor 0xFFFFFFFF; the same value zlib.crc32 gives). libebml stores it little-endian.
#pragma once

#include <cstddef>
#include <cstdint>

namespace k4sync {

// Continue a CRC over more data: crc32_update(crc32_update(0, a), b) == CRC of a followed by b.
uint32_t crc32_update(uint32_t crc, const uint8_t *data, size_t size) noexcept;

} // namespace k4sync
