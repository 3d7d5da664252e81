#include "session.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <system_error>

namespace k4sync {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int32_t kCaptureTimeoutMs = 100;
constexpr int64_t kImuRateHz = 1666;
// A capture waits on the writer thread until the IMU has delivered past its newest image. If the captures run this
// far (device time) ahead of the newest sample, the IMU has stalled and captures go on without it.
constexpr int64_t kImuStallUs = 1'000'000;
// The writer thread takes every queued IMU sample at each turn, so only a writer stuck this long loses samples.
constexpr int64_t kImuQueueSeconds = 60;

int fps_of(k4a_fps_t fps)
{
    return fps == K4A_FRAMES_PER_SECOND_5 ? 5 : fps == K4A_FRAMES_PER_SECOND_15 ? 15 : 30;
}

std::string sdk_reason(const K4aApi &api, int err)
{
    const char *why = api.k4sim_last_error ? api.k4sim_last_error() : nullptr;
    if (why && *why)
        return why;
    if (err != 0)
        return std::generic_category().message(err);
    return {};
}

} // namespace

Session::Session(const K4aApi &api, std::vector<SensorPlan> plans, SessionOptions options) : api_(api), options_(std::move(options))
{
    for (auto &p : plans)
    {
        auto s = std::make_unique<Sensor>();
        s->plan = std::move(p);
        s->capacity = options_.queue_capacity > 0 ? options_.queue_capacity : default_capacity(s->plan);
        s->stats.queue_capacity = s->capacity;
        s->imu_capacity = static_cast<size_t>(kImuRateHz * kImuQueueSeconds);
        sensors_.push_back(std::move(s));
    }
}

Session::~Session()
{
    request_stop();
    join();
    close();
}

size_t Session::default_capacity(const SensorPlan &plan) const
{
    return static_cast<size_t>(fps_of(plan.config.camera_fps)) * kQueueSeconds;
}

std::string Session::device_error(const std::string &what) const
{
    std::string why = sdk_reason(api_, 0);
    return why.empty() ? what : what + ": " + why;
}

// What a failed k4a_record_* call can tell: the simulated rig keeps its last error; the real SDK writes it to its log.
std::string Session::record_error(const std::string &what) const
{
    std::string why = sdk_reason(api_, 0);
    std::string out = why.empty() ? what : what + ": " + why;
    if (!options_.log_file.empty())
        out += " (the SDK's log: " + sdk_record_log_path(options_.log_file) + ")";
    return out;
}

void Session::add_incident(const Sensor &s, IncidentKind kind, int64_t device_us, const std::string &detail)
{
    std::lock_guard<std::mutex> lock(stats_lock_);
    incidents_.push_back({s.serial, kind, device_us, detail});
}

std::string Session::open()
{
    // The SDK reads its logging variables when its first handle is created, so they are set before any device opens.
    route_sdk_log(options_.log_file);
    for (auto &sp : sensors_)
    {
        Sensor &s = *sp;
        if (api_.k4a_device_open(s.plan.index, &s.device) != K4A_RESULT_SUCCEEDED)
            return device_error("cannot open sensor " + std::to_string(s.plan.index));
        char serial[64] = {};
        size_t size = sizeof serial;
        if (api_.k4a_device_get_serialnum(s.device, serial, &size) == K4A_BUFFER_RESULT_SUCCEEDED)
        {
            serial[sizeof serial - 1] = '\0';
            s.serial = serial;
        }
        {
            std::lock_guard<std::mutex> lock(stats_lock_);
            s.stats.serial = s.serial;
        }
        // Manual exposure and powerline frequency are set once: setting them per frame shifts colour against depth.
        if (s.plan.exposure_us > 0 &&
            api_.k4a_device_set_color_control(s.device, K4A_COLOR_CONTROL_EXPOSURE_TIME_ABSOLUTE, K4A_COLOR_CONTROL_MODE_MANUAL,
                                              s.plan.exposure_us) != K4A_RESULT_SUCCEEDED)
            return device_error("cannot set the exposure of " + s.serial);
        if (s.plan.powerline_hz > 0 &&
            api_.k4a_device_set_color_control(s.device, K4A_COLOR_CONTROL_POWERLINE_FREQUENCY, K4A_COLOR_CONTROL_MODE_MANUAL,
                                              s.plan.powerline_hz == 50 ? 1 : 2) != K4A_RESULT_SUCCEEDED)
            return device_error("cannot set the powerline frequency of " + s.serial);
        // The SDK opens the file with the C library, so errno still says why when it returns at once.
        errno = 0;
        if (api_.k4a_record_create(s.plan.path.c_str(), s.device, s.plan.config, &s.recording) != K4A_RESULT_SUCCEEDED)
        {
            const int err = errno;
            std::string why = sdk_reason(api_, err);
            std::string detail = "cannot create " + s.plan.path + ": " + (why.empty() ? "the SDK gave no reason" : why);
            if (!options_.log_file.empty())
                detail += " (the SDK's log: " + sdk_record_log_path(options_.log_file) + ")";
            s.recording = nullptr;
            add_incident(s, IncidentKind::kCreateFailed, -1, detail);
            return detail;
        }
        std::string failed;
        if (s.plan.imu && api_.k4a_record_add_imu_track(s.recording) != K4A_RESULT_SUCCEEDED)
            failed = record_error("cannot add the IMU track to " + s.plan.path);
        k4a_record_subtitle_settings_t settings{false};
        if (failed.empty() &&
            api_.k4a_record_add_custom_subtitle_track(s.recording, kHostTrackName, kHostTrackCodec, nullptr, 0, &settings) !=
                K4A_RESULT_SUCCEEDED)
            failed = record_error("cannot add the host time track to " + s.plan.path);
        if (failed.empty() && api_.k4a_record_write_header(s.recording) != K4A_RESULT_SUCCEEDED)
            failed = record_error("cannot write the header of " + s.plan.path);
        if (!failed.empty())
        {
            add_incident(s, IncidentKind::kCreateFailed, -1, failed);
            return failed;
        }
    }
    return {};
}

std::string Session::start_cameras(size_t i)
{
    if (i >= sensors_.size())
        return "no such sensor";
    Sensor &s = *sensors_[i];
    if (api_.k4a_device_start_cameras(s.device, &s.plan.config) != K4A_RESULT_SUCCEEDED)
        return device_error("sensor " + s.serial + " refused to start its cameras");
    {
        std::lock_guard<std::mutex> lock(stats_lock_);
        s.stats.state = SensorState::kWaiting;
    }
    s.cameras = true;
    wake();
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
        return device_error("sensor " + s.serial + " refused to start its IMU");
    s.imu = true;
    return {};
}

void Session::start_threads()
{
    for (auto &sp : sensors_)
    {
        Sensor *s = sp.get();
        if (s->capture_thread.joinable())
            continue;
        s->writer_thread = std::thread([this, s] { writer_loop(*s); });
        s->capture_thread = std::thread([this, s] { capture_loop(*s); });
    }
}

// ---- Capture thread: take from the device, hand to the writer thread, never wait on the disk. ----------------------

void Session::offer_capture(Sensor &s, k4a_capture_t capture, const CaptureTimes &times)
{
    bool lost = false;
    bool refused = false;
    {
        std::unique_lock<std::mutex> lock(s.queue_lock);
        if (options_.wait_when_full)
            s.room.wait(lock, [&] { return s.captures.size() < s.capacity || s.writer_failed; });
        s.offered++;
        s.generation++;
        if (s.writer_failed)
            refused = true; // nothing more can be written: the sensor already has its write fault
        else if (s.captures.size() >= s.capacity)
            lost = true;
        else
        {
            s.captures.push_back({capture, times});
            std::lock_guard<std::mutex> stats(stats_lock_);
            s.stats.queue_high_water = std::max<uint64_t>(s.stats.queue_high_water, s.captures.size());
        }
    }
    s.queue_changed.notify_one();
    if (lost || refused)
        api_.k4a_capture_release(capture);
    if (!lost)
    {
        s.overflow_run = false;
        return;
    }
    // A run of lost captures is one incident, kept up to date while the run lasts.
    std::lock_guard<std::mutex> lock(stats_lock_);
    s.stats.lost_in_queue++;
    if (!s.overflow_run)
    {
        s.overflow_run = true;
        s.overflow_count = 0;
        s.overflow_incident = incidents_.size();
        incidents_.push_back({s.serial, IncidentKind::kQueueOverflow, times.color_us, {}});
    }
    s.overflow_count++;
    Incident &incident = incidents_[s.overflow_incident];
    incident.detail = std::to_string(s.overflow_count) + (s.overflow_count == 1 ? " capture" : " captures") +
                      " lost: the writer queue (" + std::to_string(s.capacity) + " captures) was full, from device time " +
                      std::to_string(incident.device_us) + " to " + std::to_string(times.color_us) + " us";
}

void Session::drain_imu(Sensor &s)
{
    if (!s.imu)
        return;
    std::vector<k4a_imu_sample_t> fresh;
    k4a_imu_sample_t sample;
    while (api_.k4a_device_get_imu_sample(s.device, &sample, 0) == K4A_WAIT_RESULT_SUCCEEDED)
        fresh.push_back(sample);
    if (fresh.empty())
        return;
    size_t kept = 0;
    {
        std::lock_guard<std::mutex> lock(s.queue_lock);
        kept = std::min(fresh.size(), s.imu_capacity - std::min(s.imu_capacity, s.imu_samples.size()));
        s.generation++;
        s.imu_samples.insert(s.imu_samples.end(), fresh.begin(), fresh.begin() + static_cast<std::ptrdiff_t>(kept));
    }
    s.queue_changed.notify_one();
    if (kept == fresh.size())
    {
        s.imu_overflow_run = false;
        return;
    }
    std::lock_guard<std::mutex> lock(stats_lock_);
    const int64_t first_us = static_cast<int64_t>(fresh[kept].acc_timestamp_usec);
    const int64_t last_us = static_cast<int64_t>(fresh.back().acc_timestamp_usec);
    if (!s.imu_overflow_run)
    {
        s.imu_overflow_run = true;
        s.imu_overflow_count = 0;
        s.imu_overflow_incident = incidents_.size();
        incidents_.push_back({s.serial, IncidentKind::kQueueOverflow, first_us, {}});
    }
    s.imu_overflow_count += fresh.size() - kept;
    Incident &incident = incidents_[s.imu_overflow_incident];
    incident.detail = std::to_string(s.imu_overflow_count) + " IMU samples lost: the writer queue (" +
                      std::to_string(s.imu_capacity) + " samples) was full, from device time " +
                      std::to_string(incident.device_us) + " to " + std::to_string(last_us) + " us";
}

Session::CaptureTimes Session::capture_times(k4a_capture_t capture) const
{
    CaptureTimes out;
    k4a_image_t images[] = {api_.k4a_capture_get_color_image(capture), api_.k4a_capture_get_depth_image(capture),
                            api_.k4a_capture_get_ir_image(capture)};
    for (k4a_image_t image : images)
    {
        if (!image)
            continue;
        const int64_t us = static_cast<int64_t>(api_.k4a_image_get_device_timestamp_usec(image));
        if (out.color_us < 0)
        {
            out.color_us = us;
            out.host_ns = api_.k4a_image_get_system_timestamp_nsec(image);
        }
        out.min_us = out.min_us < 0 ? us : std::min(out.min_us, us);
        out.max_us = std::max(out.max_us, us);
        api_.k4a_image_release(image);
    }
    return out;
}

void Session::capture_loop(Sensor &s)
{
    uint64_t received = 0;
    while (!stop_.load() && !s.writer_failed.load() && (options_.max_frames == 0 || received < options_.max_frames))
    {
        if (!s.cameras)
        {
            std::unique_lock<std::mutex> lock(wake_lock_);
            wake_.wait(lock, [&] { return s.cameras.load() || stop_.load() || s.writer_failed.load(); });
            continue;
        }
        k4a_capture_t capture = nullptr;
        k4a_wait_result_t r = api_.k4a_device_get_capture(s.device, &capture, kCaptureTimeoutMs);
        if (r == K4A_WAIT_RESULT_TIMEOUT)
        {
            // A sensor that stops delivering frames mid-take keeps its IMU flowing to the writer.
            if (received > 0)
                drain_imu(s);
            std::lock_guard<std::mutex> lock(stats_lock_);
            s.stats.timeouts++;
            continue;
        }
        if (r != K4A_WAIT_RESULT_SUCCEEDED)
        {
            std::lock_guard<std::mutex> lock(stats_lock_);
            s.stats.state = SensorState::kUnplugged;
            s.stats.error = "the sensor stopped delivering frames (unplugged or failed)";
            break;
        }
        received++;
        const CaptureTimes times = capture_times(capture);
        // The IMU first: the writer thread then finds the older captures in its queue covered by IMU samples.
        drain_imu(s);
        offer_capture(s, capture, times);
        std::lock_guard<std::mutex> lock(stats_lock_);
        if (s.stats.state == SensorState::kWaiting)
            s.stats.state = SensorState::kRecording;
    }
    // Samples up to the last capture are still in the device's queue.
    drain_imu(s);
    {
        std::lock_guard<std::mutex> lock(s.queue_lock);
        s.producer_done = true;
        s.generation++;
    }
    s.queue_changed.notify_one();
    s.capture_done.store(true);
    wake();
}

// ---- Writer thread ------------------------------------------------------------------------------------------------
//
// The writer (k4arecord, or ours) refuses anything older than what it has made final, and a flush makes final
// everything written so far. Captures arrive in device-time order, and so do IMU samples, but the two streams are not
// in step: the device hands IMU samples over as they come, and a capture's depth image lies after its colour image by
// the depth delay. So the writer thread merges them: a capture is written only once the IMU has delivered past its
// newest image (or the IMU is off, has stalled, or the stream has ended), and an IMU sample only once a capture at or
// after it has been written. Everything written is then at or before the newest image written, every sample before
// that is already written, and the next capture lies after it: a flush at any point between two turns can refuse
// nothing that is still to come.

void Session::writer_fault(Sensor &s, IncidentKind kind, int64_t device_us, const std::string &detail)
{
    add_incident(s, kind, device_us, detail);
    std::lock_guard<std::mutex> lock(stats_lock_);
    s.stats.state = SensorState::kFailed;
    if (s.stats.error.empty())
        s.stats.error = detail;
}

bool Session::write_capture(Sensor &s, QueuedCapture &q)
{
    const k4a_result_t written = api_.k4a_record_write_capture(s.recording, q.capture);
    api_.k4a_capture_release(q.capture);
    q.capture = nullptr;
    if (written != K4A_RESULT_SUCCEEDED)
    {
        writer_fault(s, IncidentKind::kWriteFailed, q.times.color_us,
                     record_error("k4a_record_write_capture failed at device time " + std::to_string(q.times.color_us) + " us"));
        return false;
    }
    if (q.times.color_us >= 0)
    {
        uint8_t payload[8];
        for (int b = 0; b < 8; b++)
            payload[b] = static_cast<uint8_t>(q.times.host_ns >> (8 * b));
        if (api_.k4a_record_write_custom_track_data(s.recording, kHostTrackName, static_cast<uint64_t>(q.times.color_us), payload,
                                                    sizeof payload) != K4A_RESULT_SUCCEEDED)
        {
            writer_fault(s, IncidentKind::kWriteFailed, q.times.color_us,
                         record_error("k4a_record_write_custom_track_data (host time) failed at device time " +
                                      std::to_string(q.times.color_us) + " us"));
            return false;
        }
    }
    std::lock_guard<std::mutex> lock(stats_lock_);
    s.stats.frames++;
    if (q.times.color_us >= 0)
    {
        if (s.stats.first_device_us < 0)
            s.stats.first_device_us = q.times.color_us;
        s.stats.last_device_us = q.times.color_us;
    }
    return true;
}

bool Session::write_imu(Sensor &s, const k4a_imu_sample_t &sample, ImuRejects &rejects)
{
    if (api_.k4a_record_write_imu_sample(s.recording, sample) == K4A_RESULT_SUCCEEDED)
    {
        rejects.open = false;
        std::lock_guard<std::mutex> lock(stats_lock_);
        s.stats.imu_samples++;
        return true;
    }
    const int64_t us = static_cast<int64_t>(sample.acc_timestamp_usec);
    const std::string why = record_error("k4a_record_write_imu_sample failed");
    std::lock_guard<std::mutex> lock(stats_lock_);
    if (!rejects.open)
    {
        rejects.open = true;
        rejects.count = 0;
        rejects.incident = incidents_.size();
        incidents_.push_back({s.serial, IncidentKind::kImuRejected, us, {}});
    }
    rejects.count++;
    Incident &incident = incidents_[rejects.incident];
    incident.detail = std::to_string(rejects.count) + (rejects.count == 1 ? " IMU sample" : " IMU samples") +
                      " refused, from device time " + std::to_string(incident.device_us) + " to " + std::to_string(us) +
                      " us: " + why;
    return false;
}

void Session::writer_loop(Sensor &s)
{
    std::deque<k4a_imu_sample_t> imu;     // received, not yet written
    int64_t imu_watermark = -1;           // every sample up to here has been received
    int64_t newest_written_us = -1;       // the newest image written
    ImuRejects rejects;
    auto last_flush = Clock::now();
    bool unflushed = false;
    bool failed = false;
    uint64_t seen_generation = 0;
    const auto interval = std::chrono::milliseconds(options_.flush_interval_ms);

    auto flush = [&] {
        if (api_.k4a_record_flush(s.recording) != K4A_RESULT_SUCCEEDED)
            add_incident(s, IncidentKind::kFlushFailed, newest_written_us, record_error("k4a_record_flush failed"));
        else
        {
            std::lock_guard<std::mutex> lock(stats_lock_);
            s.stats.flushes++;
        }
        last_flush = Clock::now();
        unflushed = false;
    };

    for (;;)
    {
        std::vector<QueuedCapture> ready;
        bool done = false;
        {
            std::unique_lock<std::mutex> lock(s.queue_lock);
            // A capture that waits for the IMU stays queued: only something new can change what is ready.
            auto has_work = [&] { return s.generation != seen_generation; };
            if (unflushed)
                s.queue_changed.wait_until(lock, last_flush + interval, has_work);
            else
                s.queue_changed.wait(lock, has_work);
            seen_generation = s.generation;
            if (!s.imu_samples.empty())
            {
                imu_watermark = static_cast<int64_t>(s.imu_samples.back().acc_timestamp_usec);
                imu.insert(imu.end(), s.imu_samples.begin(), s.imu_samples.end());
                s.imu_samples.clear();
            }
            const bool holding = !s.producer_done && !options_.wait_when_full && options_.writer_hold_captures > 0 &&
                                 s.offered < options_.writer_hold_captures;
            while (!holding && !s.captures.empty())
            {
                const CaptureTimes &front = s.captures.front().times;
                const bool imu_past = !s.plan.imu || front.max_us <= imu_watermark;
                const bool imu_stalled = s.captures.back().times.min_us > imu_watermark + kImuStallUs;
                // A full queue is written rather than lost: a sample refused later is an incident, a lost capture too.
                const bool full = s.captures.size() >= s.capacity;
                if (!(imu_past || imu_stalled || full || s.producer_done))
                    break;
                ready.push_back(s.captures.front());
                s.captures.pop_front();
            }
            done = s.producer_done && s.captures.empty();
        }
        if (!ready.empty())
            s.room.notify_one();

        for (QueuedCapture &q : ready)
        {
            if (failed)
            {
                api_.k4a_capture_release(q.capture);
                continue;
            }
            if (!write_capture(s, q))
            {
                failed = true;
                continue;
            }
            unflushed = true;
            newest_written_us = std::max(newest_written_us, q.times.max_us);
            while (!imu.empty() && static_cast<int64_t>(imu.front().acc_timestamp_usec) <= newest_written_us)
            {
                write_imu(s, imu.front(), rejects);
                imu.pop_front();
            }
        }
        if (failed)
            break;
        if (done)
        {
            for (const auto &sample : imu)
                write_imu(s, sample, rejects);
            imu.clear();
            break;
        }
        if (unflushed && Clock::now() - last_flush >= interval)
            flush();
    }

    if (failed)
    {
        // Nothing more can be written: the capture thread stops, and what is queued is released.
        std::deque<QueuedCapture> left;
        {
            std::lock_guard<std::mutex> lock(s.queue_lock);
            s.writer_failed = true;
            left.swap(s.captures);
            s.imu_samples.clear();
        }
        s.room.notify_one();
        wake();
        for (QueuedCapture &q : left)
            api_.k4a_capture_release(q.capture);
    }
    {
        std::lock_guard<std::mutex> lock(stats_lock_);
        if (s.stats.state == SensorState::kRecording || s.stats.state == SensorState::kWaiting)
            s.stats.state = SensorState::kDone;
    }
    s.writer_done.store(true);
    wake();
}

void Session::wake() const
{
    // Taking the lock between the change and the notification: a thread that just found its condition false is
    // then already waiting, and cannot miss the notification.
    {
        std::lock_guard<std::mutex> lock(wake_lock_);
    }
    wake_.notify_all();
}

void Session::request_stop()
{
    stop_.store(true);
    wake();
}

bool Session::wait_finished(std::chrono::milliseconds timeout) const
{
    std::unique_lock<std::mutex> lock(wake_lock_);
    return wake_.wait_for(lock, timeout, [this] { return finished(); });
}

bool Session::finished() const
{
    for (const auto &s : sensors_)
    {
        if (s->capture_thread.joinable() && !s->capture_done.load())
            return false;
        if (s->writer_thread.joinable() && !s->writer_done.load())
            return false;
    }
    return true;
}

void Session::join()
{
    for (auto &s : sensors_)
    {
        if (s->capture_thread.joinable())
            s->capture_thread.join();
        if (s->writer_thread.joinable())
            s->writer_thread.join();
    }
}

void Session::close()
{
    if (closed_)
        return;
    closed_ = true;
    for (auto &sp : sensors_)
    {
        Sensor &s = *sp;
        if (s.imu)
            api_.k4a_device_stop_imu(s.device);
        if (s.cameras)
            api_.k4a_device_stop_cameras(s.device);
        if (s.recording)
        {
            // k4a_record_close returns nothing, so the final flush is made first, where a failure can be seen; the
            // simulated rig also reports a failed close through its last error.
            std::string failure;
            if (api_.k4a_record_flush(s.recording) != K4A_RESULT_SUCCEEDED)
                failure = record_error("the final k4a_record_flush failed");
            api_.k4a_record_close(s.recording);
            if (failure.empty() && api_.k4sim_last_error && *api_.k4sim_last_error())
                failure = record_error("k4a_record_close failed");
            if (!failure.empty())
            {
                add_incident(s, IncidentKind::kCloseFailed, -1, failure);
                std::lock_guard<std::mutex> lock(stats_lock_);
                s.stats.state = SensorState::kFailed;
                s.stats.error = "the recording could not be finalized: " + failure;
            }
        }
        if (s.device)
            api_.k4a_device_close(s.device);
        s.recording = nullptr;
        s.device = nullptr;
    }
}

std::vector<SensorStats> Session::stats() const
{
    std::vector<SensorStats> out;
    {
        std::lock_guard<std::mutex> lock(stats_lock_);
        for (const auto &s : sensors_)
            out.push_back(s->stats);
    }
    // Lock order is queue_lock, then stats_lock_: so stats_lock_ is released before any queue lock is taken.
    for (size_t i = 0; i < sensors_.size(); i++)
    {
        std::lock_guard<std::mutex> lock(sensors_[i]->queue_lock);
        out[i].queued = sensors_[i]->captures.size();
    }
    return out;
}

std::vector<Incident> Session::incidents() const
{
    std::lock_guard<std::mutex> lock(stats_lock_);
    return incidents_;
}

} // namespace k4sync
