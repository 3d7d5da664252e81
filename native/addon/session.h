// One recording session: a thread per sensor runs get-capture then write-capture and drains the IMU, so no
// JavaScript pause can cost a frame. Each capture's host arrival time goes into a custom subtitle track, and files are
// flushed every few seconds so that a crash leaves them readable up to the last flush.
#pragma once

#include "library.h"

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace k4sync {

// The custom track holding each capture's host arrival time: 8 bytes, little-endian ns of the host monotonic clock,
// at the capture's device timestamp.
constexpr const char *kHostTrackName = "K4SYNC_HOST_TIME";
constexpr const char *kHostTrackCodec = "S_K4SYNC/HOST_TIME_NS";

struct SensorPlan
{
    uint32_t index = 0;
    std::string path;
    k4a_device_configuration_t config{};
    bool imu = true;
    int32_t exposure_us = 0;   // 0: leave the camera's setting alone
    int32_t powerline_hz = 0;  // 50 or 60; 0: leave alone
};

enum class SensorState
{
    kIdle,
    kWaiting,   // cameras started, no frame yet (a subordinate waiting for its first pulse)
    kRecording,
    kDone,
    kUnplugged,
    kFailed,
};

struct SensorStats
{
    std::string serial;
    SensorState state = SensorState::kIdle;
    uint64_t frames = 0;
    uint64_t imu_samples = 0;
    uint64_t timeouts = 0;
    int64_t first_device_us = -1;
    int64_t last_device_us = -1;
    uint64_t flushes = 0;
    std::string error;
};

class Session
{
public:
    Session(const K4aApi &api, std::vector<SensorPlan> plans, uint64_t max_frames, uint32_t flush_interval_ms);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // Opens every sensor and creates its recording (header written). Returns "" or what failed.
    std::string open();
    std::string start_cameras(size_t sensor);
    std::string start_imu(size_t sensor);
    void start_threads();
    void request_stop();
    bool finished() const;
    void join();
    // Stops the sensors and closes every recording (which flushes it). Safe to call twice.
    void close();
    std::vector<SensorStats> stats() const;

private:
    struct Sensor
    {
        SensorPlan plan;
        k4a_device_t device = nullptr;
        k4a_record_t recording = nullptr;
        // Set by the JavaScript thread, read by the capture thread.
        std::atomic<bool> cameras{false};
        std::atomic<bool> imu{false};
        std::thread thread;
        std::atomic<bool> done{false};
        SensorStats stats;
    };

    void capture_loop(Sensor &s);
    std::string device_error(const std::string &what) const;

    K4aApi api_;
    std::vector<std::unique_ptr<Sensor>> sensors_;
    uint64_t max_frames_;
    uint32_t flush_interval_ms_;
    std::atomic<bool> stop_{false};
    mutable std::mutex stats_lock_;
    bool closed_ = false;
};

} // namespace k4sync
