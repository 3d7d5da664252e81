#include "ebml.h"

#include "crc32.h"
#include "matroska_ids.h"

#include <cstring>

namespace k4sync::ebml {

int size_field_length(uint64_t size) noexcept
{
    for (int length = 1; length <= 8; length++)
    {
        // A length-L field holds 7L value bits; the all-ones value means "unknown size" and is never used for a
        // known size.
        const uint64_t limit = (uint64_t{1} << (7 * length)) - 1;
        if (size < limit)
            return length;
    }
    return 0;
}

int id_length(uint32_t id) noexcept
{
    if (id <= 0xFF)
        return 1;
    if (id <= 0xFFFF)
        return 2;
    if (id <= 0xFFFFFF)
        return 3;
    return 4;
}

uint64_t element_total_size(uint32_t id, uint64_t data_size) noexcept
{
    const int length = size_field_length(data_size);
    if (length == 0)
        return 0;
    return static_cast<uint64_t>(id_length(id)) + static_cast<uint64_t>(length) + data_size;
}

void put_id(Bytes &out, uint32_t id)
{
    for (int shift = (id_length(id) - 1) * 8; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(id >> shift));
}

bool put_size(Bytes &out, uint64_t size, int length)
{
    const int shortest = size_field_length(size);
    if (shortest == 0 || length > 8 || (length != 0 && length < shortest))
        return false;
    if (length == 0)
        length = shortest;
    const uint64_t coded = size | (uint64_t{1} << (7 * length));
    for (int shift = (length - 1) * 8; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(coded >> shift));
    return true;
}

bool put_header(Bytes &out, uint32_t id, uint64_t data_size)
{
    if (size_field_length(data_size) == 0)
        return false;
    put_id(out, id);
    return put_size(out, data_size);
}

void put_uint(Bytes &out, uint32_t id, uint64_t value)
{
    int bytes = 1;
    while (bytes < 8 && (value >> (8 * bytes)) != 0)
        bytes++;
    put_id(out, id);
    put_size(out, static_cast<uint64_t>(bytes));
    for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(value >> shift));
}

void put_date(Bytes &out, uint32_t id, int64_t ns_since_2001)
{
    put_id(out, id);
    put_size(out, 8);
    const uint64_t bits = static_cast<uint64_t>(ns_since_2001);
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(bits >> shift));
}

void put_float32(Bytes &out, uint32_t id, float value)
{
    uint32_t bits = 0;
    static_assert(sizeof(bits) == sizeof(value), "float must be IEEE-754 binary32");
    std::memcpy(&bits, &value, sizeof(bits));
    put_id(out, id);
    put_size(out, 4);
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<uint8_t>(bits >> shift));
}

void put_string(Bytes &out, uint32_t id, std::string_view value)
{
    put_binary(out, id, reinterpret_cast<const uint8_t *>(value.data()), value.size());
}

bool put_binary(Bytes &out, uint32_t id, const uint8_t *data, size_t size)
{
    if (!put_header(out, id, size))
        return false;
    if (size > 0)
        out.insert(out.end(), data, data + size);
    return true;
}

bool put_master(Bytes &out, uint32_t id, const Bytes &body)
{
    return put_binary(out, id, body.data(), body.size());
}

void put_crc32_element(Bytes &out, const uint8_t *data, size_t size)
{
    const uint32_t crc = crc32_update(0, data, size);
    put_id(out, mkv::id::kCrc32);
    put_size(out, 4);
    for (int shift = 0; shift < 32; shift += 8)
        out.push_back(static_cast<uint8_t>(crc >> shift));
}

bool put_master_with_crc(Bytes &out, uint32_t id, const Bytes &body)
{
    constexpr uint64_t kCrcElementSize = 6;
    if (!put_header(out, id, kCrcElementSize + body.size()))
        return false;
    put_crc32_element(out, body.data(), body.size());
    out.insert(out.end(), body.begin(), body.end());
    return true;
}

bool put_void(Bytes &out, uint64_t total_bytes)
{
    // The Void ID is one byte; pick the shortest size field that leaves a representable data size. A longer-than-
    // needed field is legal EBML and covers the awkward totals (e.g. 129 bytes).
    for (int length = 1; length <= 8; length++)
    {
        if (total_bytes < 1 + static_cast<uint64_t>(length))
            return false;
        const uint64_t data_size = total_bytes - 1 - static_cast<uint64_t>(length);
        if (size_field_length(data_size) <= length && size_field_length(data_size) != 0)
        {
            put_id(out, mkv::id::kVoid);
            put_size(out, data_size, length);
            out.insert(out.end(), data_size, 0);
            return true;
        }
    }
    return false;
}

} // namespace k4sync::ebml
