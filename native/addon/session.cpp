#include "session.h"

#include <algorithm>
#include <chrono>
#include <deque>
#include <memory>

namespace k4sync {
namespace {

constexpr int32_t kCaptureTimeoutMs = 100;

struct CaptureTimes
{
    int64_t first_us = -1;  // the colour image's time (else depth, else IR): the capture's time
    int64_t latest_us = -1; // the newest image: depth sits after colour by the depth delay
    uint64_t host_ns = 0;
};

CaptureTimes capture_times(const K4aApi &api, k4a_capture_t capture)
{
    CaptureTimes out;
    k4a_image_t images[] = {api.k4a_capture_get_color_image(capture), api.k4a_capture_get_depth_image(capture),
                            api.k4a_capture_get_ir_image(capture)};
    for (k4a_image_t image : images)
    {
        if (!image)
            continue;
        int64_t us = static_cast<int64_t>(api.k4a_image_get_device_timestamp_usec(image));
        if (out.first_us < 0)
        {
            out.first_us = us;
            out.host_ns = api.k4a_image_get_system_timestamp_nsec(image);
        }
        out.latest_us = std::max(out.latest_us, us);
        api.k4a_image_release(image);
    }
    return out;
}

} // namespace

Session::Session(const K4aApi &api, std::vector<SensorPlan> plans, uint64_t max_frames, uint32_t flush_interval_ms)
    : api_(api), max_frames_(max_frames), flush_interval_ms_(flush_interval_ms)
{
    for (auto &p : plans)
    {
        auto s = std::make_unique<Sensor>();
        s->plan = std::move(p);
        sensors_.push_back(std::move(s));
    }
}

Session::~Session()
{
    request_stop();
    join();
    close();
}

std::string Session::device_error(const std::string &what) const
{
    const char *why = api_.k4sim_last_error ? api_.k4sim_last_error() : nullptr;
    return why && *why ? what + ": " + why : what;
}

std::string Session::open()
{
    for (auto &sp : sensors_)
    {
        Sensor &s = *sp;
        if (api_.k4a_device_open(s.plan.index, &s.device) != K4A_RESULT_SUCCEEDED)
            return device_error("cannot open sensor " + std::to_string(s.plan.index));
        char serial[64] = {};
        size_t size = sizeof serial;
        if (api_.k4a_device_get_serialnum(s.device, serial, &size) == K4A_BUFFER_RESULT_SUCCEEDED)
            s.stats.serial = serial;
        // Manual exposure and powerline frequency are set once: setting them per frame shifts colour against depth.
        if (s.plan.exposure_us > 0 &&
            api_.k4a_device_set_color_control(s.device, K4A_COLOR_CONTROL_EXPOSURE_TIME_ABSOLUTE, K4A_COLOR_CONTROL_MODE_MANUAL,
                                              s.plan.exposure_us) != K4A_RESULT_SUCCEEDED)
            return device_error("cannot set the exposure of " + s.stats.serial);
        if (s.plan.powerline_hz > 0 &&
            api_.k4a_device_set_color_control(s.device, K4A_COLOR_CONTROL_POWERLINE_FREQUENCY, K4A_COLOR_CONTROL_MODE_MANUAL,
                                              s.plan.powerline_hz == 50 ? 1 : 2) != K4A_RESULT_SUCCEEDED)
            return device_error("cannot set the powerline frequency of " + s.stats.serial);
        if (api_.k4a_record_create(s.plan.path.c_str(), s.device, s.plan.config, &s.recording) != K4A_RESULT_SUCCEEDED)
            return "cannot create " + s.plan.path;
        if (s.plan.imu && api_.k4a_record_add_imu_track(s.recording) != K4A_RESULT_SUCCEEDED)
            return "cannot add the IMU track to " + s.plan.path;
        k4a_record_subtitle_settings_t settings{false};
        if (api_.k4a_record_add_custom_subtitle_track(s.recording, kHostTrackName, kHostTrackCodec, nullptr, 0, &settings) !=
            K4A_RESULT_SUCCEEDED)
            return "cannot add the host time track to " + s.plan.path;
        if (api_.k4a_record_write_header(s.recording) != K4A_RESULT_SUCCEEDED)
            return "cannot write the header of " + s.plan.path;
    }
    return {};
}

std::string Session::start_cameras(size_t i)
{
    if (i >= sensors_.size())
        return "no such sensor";
    Sensor &s = *sensors_[i];
    if (api_.k4a_device_start_cameras(s.device, &s.plan.config) != K4A_RESULT_SUCCEEDED)
        return device_error("sensor " + s.stats.serial + " refused to start its cameras");
    s.cameras = true;
    std::lock_guard<std::mutex> lock(stats_lock_);
    s.stats.state = SensorState::kWaiting;
    return {};
}

std::string Session::start_imu(size_t i)
{
    if (i >= sensors_.size())
        return "no such sensor";
    Sensor &s = *sensors_[i];
    if (!s.plan.imu)
        return {};
    if (api_.k4a_device_start_imu(s.device) != K4A_RESULT_SUCCEEDED)
        return device_error("sensor " + s.stats.serial + " refused to start its IMU");
    s.imu = true;
    return {};
}

void Session::start_threads()
{
    for (auto &sp : sensors_)
    {
        Sensor *s = sp.get();
        s->thread = std::thread([this, s] { capture_loop(*s); });
    }
}

void Session::capture_loop(Sensor &s)
{
    using Clock = std::chrono::steady_clock;
    auto last_flush = Clock::now();
    std::deque<k4a_imu_sample_t> pending_imu;
    auto set = [&](SensorState state, const std::string &error = {}) {
        std::lock_guard<std::mutex> lock(stats_lock_);
        s.stats.state = state;
        if (!error.empty())
            s.stats.error = error;
    };
    while (!stop_.load() && (max_frames_ == 0 || s.stats.frames < max_frames_))
    {
        if (!s.cameras)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            continue;
        }
        k4a_capture_t capture = nullptr;
        k4a_wait_result_t r = api_.k4a_device_get_capture(s.device, &capture, kCaptureTimeoutMs);
        if (r == K4A_WAIT_RESULT_TIMEOUT)
        {
            std::lock_guard<std::mutex> lock(stats_lock_);
            s.stats.timeouts++;
            continue;
        }
        if (r != K4A_WAIT_RESULT_SUCCEEDED)
        {
            set(SensorState::kUnplugged, "the sensor stopped delivering frames (unplugged or failed)");
            break;
        }
        CaptureTimes times = capture_times(api_, capture);
        const int64_t device_us = times.first_us;
        const uint64_t host_ns = times.host_ns;
        k4a_result_t written = api_.k4a_record_write_capture(s.recording, capture);
        api_.k4a_capture_release(capture);
        if (written != K4A_RESULT_SUCCEEDED)
        {
            set(SensorState::kFailed, "writing a frame failed (disk full or too slow?)");
            break;
        }
        if (device_us >= 0)
        {
            uint8_t payload[8];
            for (int b = 0; b < 8; b++)
                payload[b] = static_cast<uint8_t>(host_ns >> (8 * b));
            api_.k4a_record_write_custom_track_data(s.recording, kHostTrackName, static_cast<uint64_t>(device_us), payload, sizeof payload);
        }
        // A flush makes everything written so far final, and the writer then refuses anything older. IMU samples
        // reach the host sooner than images, so those newer than this capture wait for a later one.
        k4a_imu_sample_t sample;
        while (s.imu && api_.k4a_device_get_imu_sample(s.device, &sample, 0) == K4A_WAIT_RESULT_SUCCEEDED)
            pending_imu.push_back(sample);
        uint64_t imu = 0;
        while (!pending_imu.empty() && (times.latest_us < 0 || pending_imu.front().acc_timestamp_usec <= static_cast<uint64_t>(times.latest_us)))
        {
            if (api_.k4a_record_write_imu_sample(s.recording, pending_imu.front()) == K4A_RESULT_SUCCEEDED)
                imu++;
            pending_imu.pop_front();
        }
        bool flush = Clock::now() - last_flush >= std::chrono::milliseconds(flush_interval_ms_);
        if (flush)
        {
            api_.k4a_record_flush(s.recording);
            last_flush = Clock::now();
        }
        std::lock_guard<std::mutex> lock(stats_lock_);
        if (s.stats.state == SensorState::kWaiting)
            s.stats.state = SensorState::kRecording;
        s.stats.frames++;
        s.stats.imu_samples += imu;
        s.stats.flushes += flush ? 1 : 0;
        if (device_us >= 0)
        {
            if (s.stats.first_device_us < 0)
                s.stats.first_device_us = device_us;
            s.stats.last_device_us = device_us;
        }
    }
    uint64_t imu_tail = 0;
    for (const auto &sample : pending_imu)
        imu_tail += api_.k4a_record_write_imu_sample(s.recording, sample) == K4A_RESULT_SUCCEEDED ? 1 : 0;
    {
        std::lock_guard<std::mutex> lock(stats_lock_);
        s.stats.imu_samples += imu_tail;
        if (s.stats.state == SensorState::kRecording || s.stats.state == SensorState::kWaiting)
            s.stats.state = SensorState::kDone;
    }
    s.done.store(true);
}

void Session::request_stop()
{
    stop_.store(true);
}

bool Session::finished() const
{
    for (const auto &s : sensors_)
        if (s->thread.joinable() && !s->done.load())
            return false;
    return true;
}

void Session::join()
{
    for (auto &s : sensors_)
        if (s->thread.joinable())
            s->thread.join();
}

void Session::close()
{
    if (closed_)
        return;
    closed_ = true;
    for (auto &s : sensors_)
    {
        if (s->imu)
            api_.k4a_device_stop_imu(s->device);
        if (s->cameras)
            api_.k4a_device_stop_cameras(s->device);
        if (s->recording)
            api_.k4a_record_close(s->recording); // flushes: the file is finalized whatever happened above
        if (s->device)
            api_.k4a_device_close(s->device);
        s->recording = nullptr;
        s->device = nullptr;
    }
}

std::vector<SensorStats> Session::stats() const
{
    std::lock_guard<std::mutex> lock(stats_lock_);
    std::vector<SensorStats> out;
    for (const auto &s : sensors_)
        out.push_back(s->stats);
    return out;
}

} // namespace k4sync
