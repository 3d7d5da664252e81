// The simulated rig as the library sees it: hardware facts only (cables, crystals, faults). Roles, delays and
// modes arrive the way they do on a real rig, through k4a_device_start_cameras. The TypeScript side validates
// rig.json (zod) and hands the library a flat "key=value" text that rig_config.cpp parses; that keeps a JSON
// parser out of the native code while the library still refuses anything it cannot use.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace k4sync::sim {

struct ScheduledDrop
{
    int64_t frame = 0; // index of the sensor's frame sequence (pulse index for a locked sensor)
    int64_t count = 1;
};

struct SensorConfig
{
    std::string serial;
    // Where this sensor's Sync In cable comes from: "" (no cable), "generator", or another sensor's serial.
    std::string sync_in;
    // A cable is plugged into Sync In but carries no pulses (broken cable, wrong jack on the far end).
    bool sync_in_dead = false;
    double crystal_ppm = 0.0;
    // What the device clock reads at its zero (µs): 0 on an Azure Kinect; the Unix time its clock was set to on an
    // Orbbec Femto whose wrapper syncs device clocks with the host (another value on a sensor whose reset failed).
    int64_t clock_origin_us = 0;
    std::string color_firmware = "1.6.110";
    std::string depth_firmware = "1.6.80";
    // Frames the firmware drops after the clock starts (master ~2, subordinate ~7 at 30 fps, i.e. 220-250 ms).
    int64_t startup_drops = -1; // -1: derive from role and fps
    int64_t unlock_at = -1;     // first frame that no longer follows the pulses (cable pulled)
    int64_t disconnect_at = -1; // first frame never delivered: the sensor is unplugged there
    std::vector<ScheduledDrop> drops;
};

struct RigConfig
{
    uint64_t seed = 1;
    int32_t jitter_ticks = 2;
    bool realistic_payload = false;
    // Host time spent by each control call (start cameras, switch the generator): start order has a cost.
    double host_step_us = 50000.0;
    double host_ppm = 0.0;     // host monotonic clock error, seen in host arrival timestamps
    double usb_latency_us = 25000.0;
    // Spread of the host arrival time on top of the latency (uniform over [0, this)).
    double usb_jitter_us = 200.0;
    double usb_budget_mbps = 0.0; // 0 = unlimited
    double disk_mbps = 0.0;       // 0 = unlimited
    // External generator: present when generator_rate_hz > 0.
    double generator_rate_hz = 0.0;
    double generator_ppm = 0.0;
    // IMU sample rate on the device clock: 1666 Hz on an Azure Kinect; Orbbec's K4A wrapper runs a Femto's at 500 Hz.
    double imu_rate_hz = 1666.0;
    std::vector<SensorConfig> sensors;
};

// Parses the text form. Returns an empty string on success, else what is wrong (line and key).
std::string parse_rig_text(const std::string &text, RigConfig &out);

} // namespace k4sync::sim
