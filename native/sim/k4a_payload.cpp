#include "k4a_payload.h"

#include <cstring>

namespace k4sync {
namespace {

void put_u64_le(std::vector<uint8_t> &out, uint64_t value)
{
    for (int i = 0; i < 8; i++)
        out.push_back(static_cast<uint8_t>(value >> (8 * i)));
}

void put_f32_le(std::vector<uint8_t> &out, float value)
{
    uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof(bits));
    for (int i = 0; i < 4; i++)
        out.push_back(static_cast<uint8_t>(bits >> (8 * i)));
}

} // namespace

bool usec_to_nsec(uint64_t usec, uint64_t *nsec)
{
    if (usec > UINT64_MAX / 1000)
        return false;
    *nsec = usec * 1000;
    return true;
}

std::vector<uint8_t> big_endian_16_copy(const uint8_t *data, size_t size)
{
    std::vector<uint8_t> out(size);
    const size_t pairs = size / 2;
    for (size_t i = 0; i < pairs; i++)
    {
        out[2 * i] = data[2 * i + 1];
        out[2 * i + 1] = data[2 * i];
    }
    if (size % 2 != 0)
        out[size - 1] = data[size - 1];
    return out;
}

bool imu_record(const k4a_imu_sample_t &sample, std::vector<uint8_t> *record)
{
    uint64_t acc_ns = 0;
    uint64_t gyro_ns = 0;
    if (!usec_to_nsec(sample.acc_timestamp_usec, &acc_ns) || !usec_to_nsec(sample.gyro_timestamp_usec, &gyro_ns))
        return false;
    record->clear();
    record->reserve(kImuRecordSize);
    put_u64_le(*record, acc_ns);
    for (float v : sample.acc_sample.v)
        put_f32_le(*record, v);
    put_u64_le(*record, gyro_ns);
    for (float v : sample.gyro_sample.v)
        put_f32_le(*record, v);
    return true;
}

} // namespace k4sync
