// One recording session. Per sensor, a capture thread takes captures and IMU samples from the device and hands them
// to a writer thread through a bounded queue, so that neither a slow disk nor a flush (1-2 s with real payloads) can
// hold up the device, whose own queue holds only about 7 captures. The writer thread hands the recording API its
// data in an order the writer accepts (see Session::writer_loop), writes each capture's host arrival time into a
// custom subtitle track, and flushes every few seconds so that a crash leaves files readable up to the last flush.
// Whatever goes wrong on the way is an incident: typed data with the sensor, the kind, the device time and a detail.
#pragma once

#include "library.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
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

struct SessionOptions
{
    uint64_t max_frames = 0;        // captures per sensor; 0: until stopped
    uint32_t flush_interval_ms = 3000;
    uint32_t queue_capacity = 0;    // captures per sensor between capture and writer thread; 0: kQueueSeconds of frames
    // The SDK's log file (K4A_ENABLE_LOG_TO_A_FILE); the recording library logs to k4arecord.log beside it, because
    // the two libraries' loggers cannot share a file. Empty: no log file.
    std::string log_file;
    // What the capture thread does when the queue is full. A real device does not wait (its own queue drops the
    // oldest capture), so the capture is lost, as an incident. A simulated rig's time runs at the pace it is read, so
    // the capture thread waits for room and nothing is lost.
    bool wait_when_full = false;
    // Tests only, and only when captures are lost rather than waited for: the writer thread starts taking captures once this many were offered to its queue, so that a queue
    // smaller than that overflows whatever the machine's speed. 0: at once.
    uint32_t writer_hold_captures = 0;
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

enum class IncidentKind
{
    kQueueOverflow, // captures lost because the writer fell a whole queue behind
    kWriteFailed,
    kFlushFailed,
    kCloseFailed,   // the recording could not be finalized
    kImuRejected,   // the writer refused IMU samples (older than data already flushed)
    kCreateFailed,
};

struct Incident
{
    std::string serial;
    IncidentKind kind = IncidentKind::kWriteFailed;
    int64_t device_us = -1; // -1: no device time applies
    std::string detail;
};

struct SensorStats
{
    std::string serial;
    SensorState state = SensorState::kIdle;
    uint64_t frames = 0;      // captures handed to the writer
    uint64_t imu_samples = 0; // IMU samples handed to the writer
    uint64_t timeouts = 0;
    int64_t first_device_us = -1;
    int64_t last_device_us = -1;
    uint64_t flushes = 0;
    uint64_t queued = 0;           // captures waiting for the writer thread now
    uint64_t queue_high_water = 0; // the most that ever waited
    uint64_t queue_capacity = 0;
    uint64_t lost_in_queue = 0;    // captures lost because the queue was full
    std::string error;
};

class Session
{
public:
    // How many seconds of frames the queue holds by default: more than the longest flush seen with real payloads.
    static constexpr uint32_t kQueueSeconds = 3;

    Session(const K4aApi &api, std::vector<SensorPlan> plans, SessionOptions options);
    ~Session();
    Session(const Session &) = delete;
    Session &operator=(const Session &) = delete;

    // Opens every sensor and creates its recording (header written). Returns "" or what failed.
    std::string open();
    std::string start_cameras(size_t sensor);
    std::string start_imu(size_t sensor);
    void start_threads();
    void request_stop();
    // Every capture and writer thread has ended.
    bool finished() const;
    // Waits until finished() or the timeout; returns finished().
    bool wait_finished(std::chrono::milliseconds timeout) const;
    void join();
    // Stops the sensors and closes every recording (finalizing it), whatever failed before. Safe to call twice.
    void close();
    std::vector<SensorStats> stats() const;
    std::vector<Incident> incidents() const;

private:
    struct CaptureTimes
    {
        int64_t color_us = -1; // the capture's time: colour, else depth, else IR
        int64_t min_us = -1;   // the oldest and newest image: depth sits off colour by the depth delay
        int64_t max_us = -1;
        uint64_t host_ns = 0;
    };
    struct QueuedCapture
    {
        k4a_capture_t capture = nullptr;
        CaptureTimes times;
    };
    struct Sensor
    {
        SensorPlan plan;
        std::string serial;
        k4a_device_t device = nullptr;
        k4a_record_t recording = nullptr;
        // Set by the JavaScript thread, read by the capture thread.
        std::atomic<bool> cameras{false};
        std::atomic<bool> imu{false};
        std::thread capture_thread;
        std::thread writer_thread;
        std::atomic<bool> capture_done{false};
        std::atomic<bool> writer_done{false};
        std::atomic<bool> writer_failed{false}; // the capture thread stops: nothing more can be written

        // Between the two threads, under queue_lock.
        std::mutex queue_lock;
        std::condition_variable queue_changed; // the writer thread has something new
        std::condition_variable room;          // the capture thread may have room again
        std::deque<QueuedCapture> captures; // bounded by capacity
        std::deque<k4a_imu_sample_t> imu_samples;
        size_t capacity = 0;
        uint64_t generation = 0;    // counts every change the writer thread may act on
        uint64_t offered = 0;       // captures the capture thread tried to queue
        bool producer_done = false; // no capture or sample will follow
        size_t imu_capacity = 0;

        // Capture thread only: a run of lost captures (or samples) is one incident, extended while the run lasts.
        bool overflow_run = false;
        size_t overflow_incident = 0;
        uint64_t overflow_count = 0;
        bool imu_overflow_run = false;
        size_t imu_overflow_incident = 0;
        uint64_t imu_overflow_count = 0;

        SensorStats stats; // under Session::stats_lock_
    };

    CaptureTimes capture_times(k4a_capture_t capture) const;
    void capture_loop(Sensor &s);
    void writer_loop(Sensor &s);
    void offer_capture(Sensor &s, k4a_capture_t capture, const CaptureTimes &times);
    void drain_imu(Sensor &s);
    struct ImuRejects
    {
        bool open = false; // the last sample was refused: the next refusal extends that incident
        size_t incident = 0;
        uint64_t count = 0;
    };
    bool write_capture(Sensor &s, QueuedCapture &q);
    bool write_imu(Sensor &s, const k4a_imu_sample_t &sample, ImuRejects &rejects);
    void writer_fault(Sensor &s, IncidentKind kind, int64_t device_us, const std::string &detail);
    void add_incident(const Sensor &s, IncidentKind kind, int64_t device_us, const std::string &detail);
    std::string device_error(const std::string &what) const;
    std::string record_error(const std::string &what) const;
    size_t default_capacity(const SensorPlan &plan) const;
    // Wakes every thread waiting on wake_: called after any change a waiter's condition reads (cameras started, stop
    // requested, a writer failed, a thread ended).
    void wake() const;

    K4aApi api_;
    std::vector<std::unique_ptr<Sensor>> sensors_;
    SessionOptions options_;
    std::atomic<bool> stop_{false};
    // Capture threads wait here for their cameras to start, and watch() for the session to finish: no polling.
    mutable std::mutex wake_lock_;
    mutable std::condition_variable wake_;
    mutable std::mutex stats_lock_; // guards every Sensor::stats and incidents_
    std::vector<Incident> incidents_;
    bool closed_ = false;
};

} // namespace k4sync
