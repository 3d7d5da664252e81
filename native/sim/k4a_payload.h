// Frame payloads as k4arecord stores them (spec §1.5, §1.6).
#pragma once

#include "k4a_api.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace k4sync {

constexpr size_t kImuRecordSize = 40;

// Copy of a DEPTH16/IR16 buffer with every 16-bit sample byte-swapped to big-endian ("b16g"). The host is assumed
// little-endian, as on every platform the SDK supports. A trailing odd byte is copied unchanged.
std::vector<uint8_t> big_endian_16_copy(const uint8_t *data, size_t size);

// The packed 40-byte IMU record: u64 acc_ts_ns, f32 acc[3], u64 gyro_ts_ns, f32 gyro[3], all little-endian.
// Timestamps are absolute device time in ns (the SDK's doc page says µs; the code writes ns). Temperature is not
// stored. Returns false if a timestamp in ns would not fit 64 bits.
bool imu_record(const k4a_imu_sample_t &sample, std::vector<uint8_t> *record);

// Device µs to ns, false on overflow.
bool usec_to_nsec(uint64_t usec, uint64_t *nsec);

} // namespace k4sync
