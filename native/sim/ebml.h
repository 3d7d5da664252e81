// EBML encoding primitives: element IDs, size fields, typed elements, Void and CRC-32 children.
//
// Everything is rendered into a byte vector first and written to the file in one piece, so a half-built element never
// reaches disk. Integer widths follow libebml, which k4arecord uses: unsigned integers take the fewest bytes (at least
// one), sizes use the shortest length unless a fixed one is asked for, dates take 8 bytes, Duration a 4-byte float.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace k4sync::ebml {

using Bytes = std::vector<uint8_t>;

// Largest data size an 8-byte size field can carry (all-ones is reserved for "unknown").
constexpr uint64_t kMaxElementSize = (uint64_t{1} << 56) - 2;

// Shortest size-field length (1..8) for a data size, or 0 if the size cannot be encoded.
int size_field_length(uint64_t size) noexcept;

// Total bytes an element with this ID and data size occupies (ID + size field + data), 0 if not encodable.
uint64_t element_total_size(uint32_t id, uint64_t data_size) noexcept;

int id_length(uint32_t id) noexcept;

void put_id(Bytes &out, uint32_t id);
// length 0 picks the shortest; a longer fixed length is used where a size is rewritten in place (Segment). Returns
// false if the size does not fit.
bool put_size(Bytes &out, uint64_t size, int length = 0);
bool put_header(Bytes &out, uint32_t id, uint64_t data_size);

void put_uint(Bytes &out, uint32_t id, uint64_t value);
// Matroska dates: signed nanoseconds since 2001-01-01T00:00:00 UTC, always 8 bytes.
void put_date(Bytes &out, uint32_t id, int64_t ns_since_2001);
void put_float32(Bytes &out, uint32_t id, float value);
void put_string(Bytes &out, uint32_t id, std::string_view value);
bool put_binary(Bytes &out, uint32_t id, const uint8_t *data, size_t size);
bool put_master(Bytes &out, uint32_t id, const Bytes &body);
// A master whose first child is a CRC-32 element over `body`, the way libebml renders masters with checksums on.
bool put_master_with_crc(Bytes &out, uint32_t id, const Bytes &body);

// The 6-byte CRC-32 child (ID 0xBF, size 4, little-endian CRC of `data`).
void put_crc32_element(Bytes &out, const uint8_t *data, size_t size);

// A Void element occupying exactly `total_bytes` (header included), data zero-filled. Returns false when no Void can
// have that size (a Void needs at least 2 bytes).
bool put_void(Bytes &out, uint64_t total_bytes);

} // namespace k4sync::ebml
