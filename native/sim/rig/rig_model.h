// The timing model of a rig of Azure Kinect sensors, in the facts of spec §2 and §5:
// - device clocks are 90 kHz counters, reported as floor(ticks * 100 / 9) µs;
// - a master (or standalone) sensor's clock starts with its colour camera and it free-runs on its crystal, so on its
//   own clock it steps exactly the nominal period; its colour frames are the pulses on its Sync Out;
// - a subordinate's clock is zeroed at the first pulse it sees after it was started, so start order matters, and it
//   fires at every pulse plus its subordinate delay; without pulses it free-runs on its own crystal;
// - the firmware drops the first frames after the clock starts (about 220-250 ms on a subordinate);
// - delays are sent to the device as 90 kHz ticks, truncated.
// Time runs on one reference axis (µs). Control calls (start, generator switch) advance a virtual host clock, so the
// simulation runs as fast as the CPU allows and is deterministic for a given rig, seed and call order.
#pragma once

#include "rig_config.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace k4sync::sim {

struct CameraSettings
{
    int fps = 30;
    int sync_mode = 0; // 0 standalone, 1 master, 2 subordinate (k4a_wired_sync_mode_t)
    int32_t depth_delay_us = 0;
    uint32_t subordinate_delay_us = 0;
    bool color = true;
    bool depth = true;
    bool ir = true;
    size_t color_bytes = 0; // per frame, for the USB and disk budgets
    size_t depth_bytes = 0;
};

struct Frame
{
    int64_t index = 0;        // delivered-frame numbering: 0 = first frame after the firmware's start-up drops
    int64_t pulse = -1;       // index of the sync pulse it followed, -1 when free-running
    int64_t color_ticks = 0;  // before jitter
    int64_t color_us = 0;     // device timestamps as the SDK reports them
    int64_t depth_us = 0;
    double true_time_us = 0;  // reference time of the colour exposure
    uint64_t host_arrival_ns = 0;
    bool locked = false;
};

enum class NextResult
{
    kFrame,
    kWait, // not streaming yet: a subordinate waiting for its first pulse
    kGone, // unplugged, or cameras not started
};

class RigModel
{
public:
    explicit RigModel(RigConfig config);

    const RigConfig &config() const { return config_; }
    int sensor_index(const std::string &serial) const;
    bool sync_in_plugged(int sensor) const;
    bool sync_out_plugged(int sensor) const;

    // Control calls happen at the current virtual host time and then advance it by the rig's host step.
    std::string start_cameras(int sensor, const CameraSettings &settings);
    void stop_cameras(int sensor);
    void set_generator(bool on);

    NextResult next_frame(int sensor, Frame &out);
    // The next IMU sample no later than the last delivered frame; false when there is none yet.
    bool next_imu(int sensor, int64_t &timestamp_us);

    std::string truth_json() const;

private:
    struct Source
    {
        enum Kind { kNone, kGenerator, kMaster, kWaiting } kind = kNone;
        int master = -1;
    };

    struct Drop
    {
        int64_t index;
        int64_t pulse;
        int64_t color_us;
        std::string cause;
    };

    struct State
    {
        bool started = false;
        double start_time = 0;
        CameraSettings settings;
        Source source;            // fixed at the first frame
        bool resolved = false;
        int64_t zero_pulse = 0;   // locked: pulse that zeroed the clock
        int64_t startup_drops = 0;
        int64_t next_index = 0;   // next delivered-frame number to produce
        int64_t imu_next = 0;
        int64_t first_color_us = -1;
        int64_t last_color_us = -1;
        bool gone = false;
        std::vector<Frame> frames;
        std::vector<Drop> drops;
    };

    Source find_source(int sensor) const;
    double pulse_time(const Source &s, int64_t k) const;
    double pulse_period(const Source &s) const;
    bool resolve(int sensor);
    Frame make_frame(int sensor, int64_t index) const;
    std::string drop_cause(int sensor, int64_t index) const;
    int64_t jitter(int sensor, int64_t index, int which) const;
    double host_advance();

    RigConfig config_;
    mutable std::mutex mutex_;
    double now_ = 0;
    bool generator_on_ = false;
    double generator_on_time_ = 0;
    std::vector<State> states_;
};

} // namespace k4sync::sim
