// The JavaScript face of the native layer: load an SDK (real or simulated) at run time, drive the simulated rig's
// controls, and run recording sessions. Every entry point turns failures into JavaScript errors; no C++ exception
// crosses into Node.
#include "library.h"
#include "session.h"

#include <napi.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

using k4sync::K4aApi;

K4aApi g_api;
bool g_loaded = false;

Napi::Value throw_error(Napi::Env env, const std::string &message)
{
    Napi::Error::New(env, message).ThrowAsJavaScriptException();
    return env.Undefined();
}

bool require_loaded(Napi::Env env)
{
    if (!g_loaded)
        throw_error(env, "no Azure Kinect library is loaded");
    return g_loaded;
}

bool require_simulated(Napi::Env env)
{
    if (!require_loaded(env))
        return false;
    if (!g_api.simulated())
        throw_error(env, "the loaded library is not the simulated rig");
    return g_api.simulated();
}

Napi::Value OpenLibrary(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    if (info.Length() < 1 || !info[0].IsString())
        return throw_error(env, "openLibrary(devicePath, recordPath?) needs a path");
    std::string device = info[0].As<Napi::String>();
    std::string record = info.Length() > 1 && info[1].IsString() ? std::string(info[1].As<Napi::String>()) : std::string();
    K4aApi api;
    // Before the library loads: the SDK logs to stdout unless told otherwise, and stdout belongs to k4sync.
    k4sync::route_sdk_log({});
    std::string err = k4sync::load_k4a_api(device, record, api);
    if (!err.empty())
        return throw_error(env, err);
    g_api = api;
    g_loaded = true;
    Napi::Object out = Napi::Object::New(env);
    out.Set("simulated", Napi::Boolean::New(env, g_api.simulated()));
    return out;
}

Napi::Value SimConfigure(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    if (!require_simulated(env))
        return env.Undefined();
    if (info.Length() < 1 || !info[0].IsString())
        return throw_error(env, "simConfigure(text) needs the rig text");
    std::string text = info[0].As<Napi::String>();
    char error[512] = {};
    if (g_api.k4sim_configure(text.c_str(), error, sizeof error) != 0)
        return throw_error(env, std::string("the simulated rig refused the rig: ") + error);
    return env.Undefined();
}

Napi::Value SimSetGenerator(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    if (!require_simulated(env))
        return env.Undefined();
    g_api.k4sim_set_generator(info.Length() > 0 && info[0].ToBoolean().Value() ? 1 : 0);
    return env.Undefined();
}

Napi::Value SimTruth(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    if (!require_simulated(env))
        return env.Undefined();
    size_t size = 0;
    if (g_api.k4sim_truth_json(nullptr, &size) != K4A_BUFFER_RESULT_TOO_SMALL)
        return throw_error(env, "the simulated rig has no truth to give");
    std::string buffer(size, '\0');
    if (g_api.k4sim_truth_json(buffer.data(), &size) != K4A_BUFFER_RESULT_SUCCEEDED)
        return throw_error(env, "the simulated rig failed to write its truth");
    buffer.resize(size > 0 ? size - 1 : 0);
    return Napi::String::New(env, buffer);
}

Napi::Value InstalledCount(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    if (!require_loaded(env))
        return env.Undefined();
    return Napi::Number::New(env, g_api.k4a_device_get_installed_count());
}

std::string version_string(const k4a_version_t &v)
{
    return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.iteration);
}

Napi::Value DeviceInfo(const Napi::CallbackInfo &info)
{
    Napi::Env env = info.Env();
    if (!require_loaded(env))
        return env.Undefined();
    if (info.Length() < 1 || !info[0].IsNumber())
        return throw_error(env, "deviceInfo(index) needs an index");
    uint32_t index = info[0].As<Napi::Number>().Uint32Value();
    k4a_device_t device = nullptr;
    if (g_api.k4a_device_open(index, &device) != K4A_RESULT_SUCCEEDED)
        return throw_error(env, "cannot open sensor " + std::to_string(index) + " (in use by another program?)");
    Napi::Object out = Napi::Object::New(env);
    char serial[64] = {};
    size_t size = sizeof serial;
    if (g_api.k4a_device_get_serialnum(device, serial, &size) == K4A_BUFFER_RESULT_SUCCEEDED)
        out.Set("serial", serial);
    k4a_hardware_version_t version{};
    if (g_api.k4a_device_get_version(device, &version) == K4A_RESULT_SUCCEEDED)
    {
        out.Set("colorFirmware", version_string(version.rgb));
        out.Set("depthFirmware", version_string(version.depth));
    }
    bool in = false, out_jack = false;
    if (g_api.k4a_device_get_sync_jack(device, &in, &out_jack) == K4A_RESULT_SUCCEEDED)
    {
        out.Set("syncIn", in);
        out.Set("syncOut", out_jack);
    }
    g_api.k4a_device_close(device);
    return out;
}

bool read_int(Napi::Object o, const char *key, int64_t &out)
{
    Napi::Value v = o.Get(key);
    if (!v.IsNumber())
        return false;
    out = v.As<Napi::Number>().Int64Value();
    return true;
}

class SessionWrap : public Napi::ObjectWrap<SessionWrap>
{
public:
    static Napi::Function Define(Napi::Env env)
    {
        return DefineClass(env, "Session",
                           {InstanceMethod("open", &SessionWrap::Open), InstanceMethod("startCameras", &SessionWrap::StartCameras),
                            InstanceMethod("startImu", &SessionWrap::StartImu), InstanceMethod("startThreads", &SessionWrap::StartThreads),
                            InstanceMethod("stop", &SessionWrap::Stop), InstanceMethod("finished", &SessionWrap::Finished),
                            InstanceMethod("stats", &SessionWrap::Stats), InstanceMethod("close", &SessionWrap::Close),
                            InstanceMethod("watch", &SessionWrap::Watch), InstanceMethod("incidents", &SessionWrap::Incidents)});
    }

    explicit SessionWrap(const Napi::CallbackInfo &info) : Napi::ObjectWrap<SessionWrap>(info)
    {
        Napi::Env env = info.Env();
        if (!require_loaded(env))
            return;
        if (info.Length() < 2 || !info[0].IsArray() || !info[1].IsObject())
        {
            throw_error(env, "new Session(sensors, options)");
            return;
        }
        Napi::Array list = info[0].As<Napi::Array>();
        std::vector<k4sync::SensorPlan> plans;
        for (uint32_t i = 0; i < list.Length(); i++)
        {
            Napi::Value item = list.Get(i);
            if (!item.IsObject())
            {
                throw_error(env, "every sensor must be an object");
                return;
            }
            Napi::Object o = item.As<Napi::Object>();
            int64_t index = 0, color_format = 0, color_resolution = 0, depth_mode = 0, fps = 0, depth_delay = 0, sync = 0,
                    sub_delay = 0, exposure = 0, powerline = 0;
            if (!read_int(o, "index", index) || !read_int(o, "colorFormat", color_format) ||
                !read_int(o, "colorResolution", color_resolution) || !read_int(o, "depthMode", depth_mode) ||
                !read_int(o, "fps", fps) || !read_int(o, "depthDelayUs", depth_delay) || !read_int(o, "syncMode", sync) ||
                !read_int(o, "subordinateDelayUs", sub_delay) || !o.Get("path").IsString())
            {
                throw_error(env, "sensor " + std::to_string(i) + " lacks a field (index, path, colorFormat, colorResolution, depthMode, fps, depthDelayUs, syncMode, subordinateDelayUs)");
                return;
            }
            read_int(o, "exposureUs", exposure);
            read_int(o, "powerlineHz", powerline);
            k4sync::SensorPlan p;
            p.index = static_cast<uint32_t>(index);
            p.path = std::string(o.Get("path").As<Napi::String>());
            p.config.color_format = static_cast<k4a_image_format_t>(color_format);
            p.config.color_resolution = static_cast<k4a_color_resolution_t>(color_resolution);
            p.config.depth_mode = static_cast<k4a_depth_mode_t>(depth_mode);
            p.config.camera_fps = static_cast<k4a_fps_t>(fps);
            p.config.depth_delay_off_color_usec = static_cast<int32_t>(depth_delay);
            p.config.wired_sync_mode = static_cast<k4a_wired_sync_mode_t>(sync);
            p.config.subordinate_delay_off_master_usec = static_cast<uint32_t>(sub_delay);
            p.imu = o.Get("imu").ToBoolean().Value();
            p.exposure_us = static_cast<int32_t>(exposure);
            p.powerline_hz = static_cast<int32_t>(powerline);
            plans.push_back(std::move(p));
        }
        Napi::Object options = info[1].As<Napi::Object>();
        int64_t max_frames = 0, flush_ms = 3000, capacity = 0, hold = 0;
        read_int(options, "maxFrames", max_frames);
        read_int(options, "flushIntervalMs", flush_ms);
        read_int(options, "queueCapacity", capacity);
        read_int(options, "writerHoldCaptures", hold);
        const int64_t limit = UINT32_MAX;
        if (flush_ms < 0 || flush_ms > limit || capacity < 0 || capacity > limit || hold < 0 || hold > limit)
        {
            throw_error(env, "flushIntervalMs, queueCapacity and writerHoldCaptures must be whole numbers from 0 to 2^32-1");
            return;
        }
        k4sync::SessionOptions opts;
        opts.max_frames = static_cast<uint64_t>(max_frames < 0 ? 0 : max_frames);
        opts.flush_interval_ms = static_cast<uint32_t>(flush_ms);
        opts.queue_capacity = static_cast<uint32_t>(capacity);
        opts.writer_hold_captures = static_cast<uint32_t>(hold);
        // A real device's captures do not wait for the disk; a simulated rig's time waits for whoever reads it.
        opts.wait_when_full = g_api.simulated();
        Napi::Value full = options.Get("queueFull");
        if (full.IsString())
        {
            const std::string policy = full.As<Napi::String>();
            if (policy != "drop" && policy != "wait")
            {
                throw_error(env, "queueFull must be 'drop' or 'wait'");
                return;
            }
            opts.wait_when_full = policy == "wait";
        }
        else if (!full.IsUndefined())
        {
            throw_error(env, "queueFull must be 'drop' or 'wait'");
            return;
        }
        Napi::Value log_file = options.Get("logFile");
        if (log_file.IsString())
            opts.log_file = log_file.As<Napi::String>();
        else if (!log_file.IsUndefined())
        {
            throw_error(env, "logFile must be a path");
            return;
        }
        session_ = std::make_unique<k4sync::Session>(g_api, std::move(plans), std::move(opts));
    }

private:
    bool ready(Napi::Env env)
    {
        if (!session_)
            throw_error(env, "the session was not created");
        return session_ != nullptr;
    }

    Napi::Value Result(Napi::Env env, const std::string &err)
    {
        return err.empty() ? env.Undefined() : throw_error(env, err);
    }

    Napi::Value Open(const Napi::CallbackInfo &info)
    {
        return ready(info.Env()) ? Result(info.Env(), session_->open()) : info.Env().Undefined();
    }

    Napi::Value StartCameras(const Napi::CallbackInfo &info)
    {
        if (!ready(info.Env()) || info.Length() < 1 || !info[0].IsNumber())
            return info.Env().Undefined();
        return Result(info.Env(), session_->start_cameras(info[0].As<Napi::Number>().Uint32Value()));
    }

    Napi::Value StartImu(const Napi::CallbackInfo &info)
    {
        if (!ready(info.Env()) || info.Length() < 1 || !info[0].IsNumber())
            return info.Env().Undefined();
        return Result(info.Env(), session_->start_imu(info[0].As<Napi::Number>().Uint32Value()));
    }

    Napi::Value StartThreads(const Napi::CallbackInfo &info)
    {
        if (ready(info.Env()))
            session_->start_threads();
        return info.Env().Undefined();
    }

    Napi::Value Stop(const Napi::CallbackInfo &info)
    {
        if (ready(info.Env()))
            session_->request_stop();
        return info.Env().Undefined();
    }

    Napi::Value Finished(const Napi::CallbackInfo &info)
    {
        return Napi::Boolean::New(info.Env(), !session_ || session_->finished());
    }

    static Napi::Array StatsArray(Napi::Env env, const std::vector<k4sync::SensorStats> &stats)
    {
        static const char *states[] = {"idle", "waiting", "recording", "done", "unplugged", "failed"};
        Napi::Array out = Napi::Array::New(env, stats.size());
        for (size_t i = 0; i < stats.size(); i++)
        {
            const auto &s = stats[i];
            Napi::Object o = Napi::Object::New(env);
            o.Set("serial", s.serial);
            o.Set("state", states[static_cast<int>(s.state)]);
            o.Set("frames", static_cast<double>(s.frames));
            o.Set("imuSamples", static_cast<double>(s.imu_samples));
            o.Set("timeouts", static_cast<double>(s.timeouts));
            o.Set("flushes", static_cast<double>(s.flushes));
            o.Set("firstDeviceUs", static_cast<double>(s.first_device_us));
            o.Set("lastDeviceUs", static_cast<double>(s.last_device_us));
            o.Set("queued", static_cast<double>(s.queued));
            o.Set("queueHighWater", static_cast<double>(s.queue_high_water));
            o.Set("queueCapacity", static_cast<double>(s.queue_capacity));
            o.Set("lostInQueue", static_cast<double>(s.lost_in_queue));
            o.Set("error", s.error);
            out.Set(static_cast<uint32_t>(i), o);
        }
        return out;
    }

    Napi::Value Incidents(const Napi::CallbackInfo &info)
    {
        Napi::Env env = info.Env();
        if (!ready(env))
            return env.Undefined();
        static const char *kinds[] = {"queue-overflow", "write-failed", "flush-failed", "close-failed", "imu-rejected", "create-failed"};
        const auto incidents = session_->incidents();
        Napi::Array out = Napi::Array::New(env, incidents.size());
        for (size_t i = 0; i < incidents.size(); i++)
        {
            const auto &incident = incidents[i];
            Napi::Object o = Napi::Object::New(env);
            o.Set("serial", incident.serial);
            o.Set("kind", kinds[static_cast<int>(incident.kind)]);
            o.Set("deviceUs", incident.device_us >= 0 ? Napi::Value(Napi::Number::New(env, static_cast<double>(incident.device_us))) : env.Null());
            o.Set("detail", incident.detail);
            out.Set(static_cast<uint32_t>(i), o);
        }
        return out;
    }

    Napi::Value Stats(const Napi::CallbackInfo &info)
    {
        Napi::Env env = info.Env();
        if (!ready(env))
            return env.Undefined();
        return StatsArray(env, session_->stats());
    }

    // watch(onStats, intervalMs): a monitor thread hands the capture threads' counters to JavaScript through a
    // thread-safe function every interval, and resolves the returned promise once every capture thread has ended.
    // JavaScript never has to poll, and a busy event loop only delays the display, never a frame.
    Napi::Value Watch(const Napi::CallbackInfo &info)
    {
        Napi::Env env = info.Env();
        if (!ready(env))
            return env.Undefined();
        if (info.Length() < 1 || !info[0].IsFunction())
            return throw_error(env, "watch(onStats, intervalMs) needs a function");
        uint32_t interval = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().Uint32Value() : 250;
        auto deferred = std::make_shared<Napi::Promise::Deferred>(env);
        auto tsfn = Napi::ThreadSafeFunction::New(env, info[0].As<Napi::Function>(), "k4sync-session-watch", 0, 1);
        k4sync::Session *session = session_.get();
        // The session must outlive the monitor: hold the wrapper until the last call, which runs on the JS thread.
        Ref();
        SessionWrap *self = this;
        std::thread([tsfn, session, interval, deferred, self]() mutable {
            auto send = [&](bool last) {
                auto *snapshot = new std::vector<k4sync::SensorStats>(session->stats());
                auto status = tsfn.BlockingCall(snapshot, [deferred, last, self](Napi::Env env, Napi::Function callback, std::vector<k4sync::SensorStats> *data) {
                    Napi::Array stats = StatsArray(env, *data);
                    delete data;
                    callback.Call({stats});
                    if (last)
                    {
                        deferred->Resolve(stats);
                        self->Unref();
                    }
                });
                if (status != napi_ok)
                    delete snapshot;
            };
            // Woken early when the last thread ends, so the promise settles as soon as the session is done.
            while (!session->finished())
            {
                send(false);
                session->wait_finished(std::chrono::milliseconds(interval));
            }
            send(true);
            tsfn.Release();
        }).detach();
        return deferred->Promise();
    }

    Napi::Value Close(const Napi::CallbackInfo &info)
    {
        if (ready(info.Env()))
        {
            session_->request_stop();
            session_->join();
            session_->close();
        }
        return info.Env().Undefined();
    }

    std::unique_ptr<k4sync::Session> session_;
};

Napi::Object Init(Napi::Env env, Napi::Object exports)
{
    exports.Set("openLibrary", Napi::Function::New(env, OpenLibrary));
    exports.Set("simConfigure", Napi::Function::New(env, SimConfigure));
    exports.Set("simSetGenerator", Napi::Function::New(env, SimSetGenerator));
    exports.Set("simTruth", Napi::Function::New(env, SimTruth));
    exports.Set("installedCount", Napi::Function::New(env, InstalledCount));
    exports.Set("deviceInfo", Napi::Function::New(env, DeviceInfo));
    exports.Set("Session", SessionWrap::Define(env));
    return exports;
}

} // namespace

NODE_API_MODULE(k4sync_native, Init)
