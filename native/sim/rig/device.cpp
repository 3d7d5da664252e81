// k4a_device_*: Azure Kinect sensors as the simulated rig models them (rig_model.h). Images come from the same
// k4a_image_* / k4a_capture_* implementation the writer uses, with real-sized or tiny payloads.
#include "flat_jpeg.h"
#include "k4sim.h"
#include "log.h"
#include "record_device_query.h"
#include "rig_model.h"

#include <chrono>
#include <condition_variable>
#include <cstring>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>

struct _k4a_device_t
{
    static constexpr uint32_t kMagic = 0x4B344456; // "K4DV"
    uint32_t magic = kMagic;
    int sensor = 0;
    bool cameras = false;
    bool imu = false;
    k4a_device_configuration_t config{};
};

namespace {

using k4sync::sim::CameraSettings;
using k4sync::sim::Frame;
using k4sync::sim::NextResult;
using k4sync::sim::RigModel;

std::mutex g_lock;
std::shared_ptr<RigModel> g_rig;

std::shared_ptr<RigModel> rig()
{
    std::lock_guard<std::mutex> lock(g_lock);
    return g_rig;
}

// A subordinate waits for its first pulse until a control call (a camera started or stopped, the generator switched,
// a new rig) may have brought one: each such call counts one more control generation and wakes the waiters.
std::mutex g_control_lock;
std::condition_variable g_control_changed;
uint64_t g_control_generation = 0;

uint64_t control_generation()
{
    std::lock_guard<std::mutex> lock(g_control_lock);
    return g_control_generation;
}

void control_changed()
{
    {
        std::lock_guard<std::mutex> lock(g_control_lock);
        g_control_generation++;
    }
    g_control_changed.notify_all();
}

// Waits until the control generation moves past `seen` or the deadline passes (none: K4A_WAIT_INFINITE); true when it moved.
bool wait_for_control(uint64_t seen, const std::chrono::steady_clock::time_point *deadline)
{
    std::unique_lock<std::mutex> lock(g_control_lock);
    auto moved = [seen] { return g_control_generation != seen; };
    if (deadline == nullptr)
    {
        g_control_changed.wait(lock, moved);
        return true;
    }
    return g_control_changed.wait_until(lock, *deadline, moved);
}

bool valid(k4a_device_t d)
{
    return d != nullptr && d->magic == _k4a_device_t::kMagic;
}

// The SDK says why only in its log; the simulated rig also keeps it for k4sim_last_error.
k4a_result_t fail(const std::string &why)
{
    k4sync::set_last_error(why);
    return K4A_RESULT_FAILED;
}

k4a_buffer_result_t copy_out(const std::string &s, char *buffer, size_t *size)
{
    if (size == nullptr)
        return K4A_BUFFER_RESULT_FAILED;
    size_t need = s.size() + 1;
    if (buffer == nullptr || *size < need)
    {
        *size = need;
        return K4A_BUFFER_RESULT_TOO_SMALL;
    }
    std::memcpy(buffer, s.c_str(), need);
    *size = need;
    return K4A_BUFFER_RESULT_SUCCEEDED;
}

void color_size(k4a_color_resolution_t r, int &w, int &h)
{
    static const int sizes[][2] = {{0, 0}, {1280, 720}, {1920, 1080}, {2560, 1440}, {2048, 1536}, {3840, 2160}, {4096, 3072}};
    int i = r >= 0 && r <= 6 ? static_cast<int>(r) : 0;
    w = sizes[i][0];
    h = sizes[i][1];
}

void depth_size(k4a_depth_mode_t m, int &w, int &h)
{
    static const int sizes[][2] = {{0, 0}, {320, 288}, {640, 576}, {512, 512}, {1024, 1024}, {1024, 1024}};
    int i = m >= 0 && m <= 5 ? static_cast<int>(m) : 0;
    w = sizes[i][0];
    h = sizes[i][1];
}

int fps_of(k4a_fps_t f)
{
    return f == K4A_FRAMES_PER_SECOND_5 ? 5 : f == K4A_FRAMES_PER_SECOND_15 ? 15 : 30;
}

// A realistic MJPEG frame is 100-200 KB; tiny takes keep files small enough to live in the repository.
size_t color_target_bytes(bool realistic, int64_t frame)
{
    return realistic ? 100'000 + static_cast<size_t>((frame * 7919) % 100'000) : 0;
}

// Depth and IR in tiny takes carry 16 bytes (as the SDK's own unit tests do); realistic ones the full image.
size_t depth_payload_bytes(bool realistic, int w, int h)
{
    return realistic ? static_cast<size_t>(w) * static_cast<size_t>(h) * 2 : 16;
}

void free_buffer(void *buffer, void *)
{
    delete[] static_cast<uint8_t *>(buffer);
}

k4a_image_t make_image(k4a_image_format_t format, int w, int h, int stride, std::vector<uint8_t> bytes, const Frame &f,
                       int64_t device_us)
{
    auto *buffer = new uint8_t[bytes.size()];
    std::memcpy(buffer, bytes.data(), bytes.size());
    k4a_image_t image = nullptr;
    if (k4a_image_create_from_buffer(format, w, h, stride, buffer, bytes.size(), free_buffer, nullptr, &image) != K4A_RESULT_SUCCEEDED)
    {
        delete[] buffer;
        return nullptr;
    }
    k4a_image_set_device_timestamp_usec(image, static_cast<uint64_t>(device_us));
    k4a_image_set_system_timestamp_nsec(image, f.host_arrival_ns);
    return image;
}

std::vector<uint8_t> depth_bytes(size_t n, uint16_t value)
{
    std::vector<uint8_t> v(n);
    for (size_t i = 0; i + 1 < n; i += 2)
    {
        v[i] = static_cast<uint8_t>(value & 0xFF);
        v[i + 1] = static_cast<uint8_t>(value >> 8);
    }
    return v;
}

k4a_capture_t build_capture(const RigModel &model, const _k4a_device_t &dev, const Frame &f)
{
    const bool realistic = model.config().realistic_payload;
    const std::string &serial = model.config().sensors[dev.sensor].serial;
    k4a_capture_t capture = nullptr;
    if (k4a_capture_create(&capture) != K4A_RESULT_SUCCEEDED)
        return nullptr;
    if (dev.config.color_resolution != K4A_COLOR_RESOLUTION_OFF)
    {
        int w = 0, h = 0;
        color_size(dev.config.color_resolution, w, h);
        std::ostringstream label;
        label << "k4sync-sim serial=" << serial << " frame=" << f.index << " device_us=" << f.color_us;
        k4a_image_t img = make_image(K4A_IMAGE_FORMAT_COLOR_MJPG, w, h, 0, k4sync::sim::flat_jpeg(w, h, label.str(), color_target_bytes(realistic, f.index)), f, f.color_us);
        if (img)
        {
            k4a_capture_set_color_image(capture, img);
            k4a_image_release(img);
        }
    }
    if (dev.config.depth_mode != K4A_DEPTH_MODE_OFF)
    {
        int w = 0, h = 0;
        depth_size(dev.config.depth_mode, w, h);
        size_t n = depth_payload_bytes(realistic, w, h);
        if (dev.config.depth_mode != K4A_DEPTH_MODE_PASSIVE_IR)
        {
            k4a_image_t img = make_image(K4A_IMAGE_FORMAT_DEPTH16, w, h, w * 2, depth_bytes(n, 1500), f, f.depth_us);
            if (img)
            {
                k4a_capture_set_depth_image(capture, img);
                k4a_image_release(img);
            }
        }
        k4a_image_t ir = make_image(K4A_IMAGE_FORMAT_IR16, w, h, w * 2, depth_bytes(n, 300), f, f.depth_us);
        if (ir)
        {
            k4a_capture_set_ir_image(capture, ir);
            k4a_image_release(ir);
        }
    }
    return capture;
}

std::string calibration_json(const std::string &serial)
{
    // Synthetic, but shaped like the device's blob so that tools looking for CalibrationInformation find it.
    return "{\"CalibrationInformation\":{\"Cameras\":[],\"InertialSensors\":[],\"Metadata\":{\"SerialId\":\"" + serial +
           "\",\"Simulated\":true}}}";
}

bool parse_version(const std::string &s, k4a_version_t &v)
{
    unsigned a = 0, b = 0, c = 0;
    if (std::sscanf(s.c_str(), "%u.%u.%u", &a, &b, &c) != 3)
        return false;
    v = {a, b, c};
    return true;
}

const k4sync::RecordDeviceQuery kDeviceQuery = {k4a_device_get_version, k4a_device_get_serialnum, k4a_device_get_raw_calibration};

} // namespace

extern "C" {

int k4sim_configure(const char *rig_text, char *error, size_t error_size)
{
    try
    {
        k4sync::sim::RigConfig config;
        std::string err = rig_text ? k4sync::sim::parse_rig_text(rig_text, config) : "no rig given";
        if (err.empty())
        {
            {
                std::lock_guard<std::mutex> lock(g_lock);
                g_rig = std::make_shared<RigModel>(std::move(config));
                k4sync::set_record_device_query(&kDeviceQuery);
            }
            control_changed();
            return 0;
        }
        if (error && error_size)
            std::snprintf(error, error_size, "%s", err.c_str());
    }
    catch (...)
    {
        if (error && error_size)
            std::snprintf(error, error_size, "%s", "out of memory while loading the rig");
    }
    return 1;
}

void k4sim_set_generator(int on)
{
    if (auto r = rig())
        r->set_generator(on != 0);
    control_changed();
}

k4a_buffer_result_t k4sim_truth_json(char *buffer, size_t *buffer_size)
{
    try
    {
        auto r = rig();
        return r ? copy_out(r->truth_json(), buffer, buffer_size) : K4A_BUFFER_RESULT_FAILED;
    }
    catch (...)
    {
        return K4A_BUFFER_RESULT_FAILED;
    }
}

const char *k4sim_last_error(void)
{
    return k4sync::last_error();
}

uint32_t k4a_device_get_installed_count(void)
{
    auto r = rig();
    return r ? static_cast<uint32_t>(r->config().sensors.size()) : 0;
}

k4a_result_t k4a_device_open(uint32_t index, k4a_device_t *device_handle)
{
    try
    {
        auto r = rig();
        if (!device_handle)
            return fail("no handle to return the device in");
        if (!r || index >= r->config().sensors.size())
            return fail("no sensor at index " + std::to_string(index));
        auto *d = new _k4a_device_t();
        d->sensor = static_cast<int>(index);
        *device_handle = d;
        // The device side's log lives as long as its handles, as the SDK's logger does: this reads the K4A_* variables.
        k4sync::log_acquire(k4sync::LogSide::kDevice);
        return K4A_RESULT_SUCCEEDED;
    }
    catch (...)
    {
        return fail("out of memory");
    }
}

void k4a_device_close(k4a_device_t device_handle)
{
    if (!valid(device_handle))
        return;
    device_handle->magic = 0;
    delete device_handle;
    k4sync::log_release(k4sync::LogSide::kDevice);
}

k4a_buffer_result_t k4a_device_get_serialnum(k4a_device_t d, char *serial_number, size_t *size)
{
    auto r = rig();
    if (!valid(d) || !r)
        return K4A_BUFFER_RESULT_FAILED;
    try
    {
        return copy_out(r->config().sensors[d->sensor].serial, serial_number, size);
    }
    catch (...)
    {
        return K4A_BUFFER_RESULT_FAILED;
    }
}

k4a_result_t k4a_device_get_version(k4a_device_t d, k4a_hardware_version_t *version)
{
    auto r = rig();
    if (!valid(d) || !r || !version)
        return fail("invalid device");
    const auto &s = r->config().sensors[d->sensor];
    k4a_hardware_version_t v{};
    if (!parse_version(s.color_firmware, v.rgb) || !parse_version(s.depth_firmware, v.depth))
        return fail("firmware version of " + s.serial + " is not major.minor.iteration");
    v.audio = {1, 6, 14};
    v.depth_sensor = {6109, 7, 0};
    *version = v;
    return K4A_RESULT_SUCCEEDED;
}

k4a_result_t k4a_device_get_sync_jack(k4a_device_t d, bool *sync_in, bool *sync_out)
{
    auto r = rig();
    if (!valid(d) || !r || !sync_in || !sync_out)
        return fail("invalid device");
    *sync_in = r->sync_in_plugged(d->sensor);
    *sync_out = r->sync_out_plugged(d->sensor);
    return K4A_RESULT_SUCCEEDED;
}

k4a_result_t k4a_device_set_color_control(k4a_device_t d, k4a_color_control_command_t command, k4a_color_control_mode_t mode, int32_t)
{
    if (!valid(d))
        return fail("invalid device");
    if (command < K4A_COLOR_CONTROL_EXPOSURE_TIME_ABSOLUTE || command > K4A_COLOR_CONTROL_POWERLINE_FREQUENCY ||
        (mode != K4A_COLOR_CONTROL_MODE_AUTO && mode != K4A_COLOR_CONTROL_MODE_MANUAL))
        return fail("unknown colour control");
    return K4A_RESULT_SUCCEEDED;
}

k4a_result_t k4a_device_start_cameras(k4a_device_t d, const k4a_device_configuration_t *config)
{
    try
    {
        auto r = rig();
        if (!valid(d) || !r || !config)
            return fail("invalid device or configuration");
        if (d->cameras)
            return fail("the cameras are already started");
        CameraSettings s;
        s.fps = fps_of(config->camera_fps);
        s.sync_mode = static_cast<int>(config->wired_sync_mode);
        s.depth_delay_us = config->depth_delay_off_color_usec;
        s.subordinate_delay_us = config->subordinate_delay_off_master_usec;
        s.color = config->color_resolution != K4A_COLOR_RESOLUTION_OFF;
        s.depth = config->depth_mode != K4A_DEPTH_MODE_OFF && config->depth_mode != K4A_DEPTH_MODE_PASSIVE_IR;
        s.ir = config->depth_mode != K4A_DEPTH_MODE_OFF;
        int w = 0, h = 0;
        color_size(config->color_resolution, w, h);
        s.color_bytes = s.color ? 150'000 : 0;
        depth_size(config->depth_mode, w, h);
        s.depth_bytes = s.ir ? static_cast<size_t>(w) * static_cast<size_t>(h) * 2 : 0;
        std::string err = r->start_cameras(d->sensor, s);
        if (!err.empty())
            return fail(err);
        d->config = *config;
        d->cameras = true;
        control_changed();
        k4sync::clear_last_error();
        return K4A_RESULT_SUCCEEDED;
    }
    catch (...)
    {
        return fail("out of memory");
    }
}

void k4a_device_stop_cameras(k4a_device_t d)
{
    auto r = rig();
    if (!valid(d) || !r || !d->cameras)
        return;
    r->stop_cameras(d->sensor);
    d->cameras = false;
    control_changed();
}

k4a_result_t k4a_device_start_imu(k4a_device_t d)
{
    if (!valid(d))
        return fail("invalid device");
    // The SDK refuses the IMU before the cameras: starting the colour camera resets the IMU timestamps.
    if (!d->cameras)
        return fail("start the cameras before the IMU");
    d->imu = true;
    return K4A_RESULT_SUCCEEDED;
}

void k4a_device_stop_imu(k4a_device_t d)
{
    if (valid(d))
        d->imu = false;
}

k4a_wait_result_t k4a_device_get_capture(k4a_device_t d, k4a_capture_t *capture_handle, int32_t timeout_in_ms)
{
    try
    {
        auto r = rig();
        if (!valid(d) || !r || !capture_handle || !d->cameras)
            return K4A_WAIT_RESULT_FAILED;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_in_ms > 0 ? timeout_in_ms : 0);
        Frame f;
        NextResult next;
        // Waiting for the first pulse: the thread that starts the master (or the generator) wakes this one.
        for (;;)
        {
            const uint64_t seen = control_generation();
            next = r->next_frame(d->sensor, f);
            if (next != NextResult::kWait || timeout_in_ms == 0 ||
                !wait_for_control(seen, timeout_in_ms == K4A_WAIT_INFINITE ? nullptr : &deadline))
                break;
        }
        if (next == NextResult::kGone)
            return K4A_WAIT_RESULT_FAILED;
        if (next == NextResult::kWait)
            return K4A_WAIT_RESULT_TIMEOUT;
        k4a_capture_t c = build_capture(*r, *d, f);
        if (!c)
            return K4A_WAIT_RESULT_FAILED;
        *capture_handle = c;
        return K4A_WAIT_RESULT_SUCCEEDED;
    }
    catch (...)
    {
        return K4A_WAIT_RESULT_FAILED;
    }
}

k4a_wait_result_t k4a_device_get_imu_sample(k4a_device_t d, k4a_imu_sample_t *sample, int32_t)
{
    auto r = rig();
    if (!valid(d) || !r || !sample || !d->imu)
        return K4A_WAIT_RESULT_FAILED;
    int64_t ts = 0;
    if (!r->next_imu(d->sensor, ts))
        return K4A_WAIT_RESULT_TIMEOUT;
    k4a_imu_sample_t s{};
    s.temperature = 30.0f;
    s.acc_sample.xyz = {0.05f, -9.81f, 0.1f};
    s.gyro_sample.xyz = {0.001f, -0.002f, 0.0005f};
    s.acc_timestamp_usec = static_cast<uint64_t>(ts);
    s.gyro_timestamp_usec = static_cast<uint64_t>(ts);
    *sample = s;
    return K4A_WAIT_RESULT_SUCCEEDED;
}

k4a_buffer_result_t k4a_device_get_raw_calibration(k4a_device_t d, uint8_t *data, size_t *data_size)
{
    auto r = rig();
    if (!valid(d) || !r)
        return K4A_BUFFER_RESULT_FAILED;
    try
    {
        return copy_out(calibration_json(r->config().sensors[d->sensor].serial), reinterpret_cast<char *>(data), data_size);
    }
    catch (...)
    {
        return K4A_BUFFER_RESULT_FAILED;
    }
}

} // extern "C"
