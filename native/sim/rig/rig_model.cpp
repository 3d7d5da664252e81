#include "rig_model.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

namespace k4sync::sim {
namespace {

constexpr double kTicksPerUs = 0.09; // 90 kHz
// Host monotonic clocks do not start at zero; an arbitrary uptime keeps host and device times visibly apart.
constexpr uint64_t kHostEpochNs = 1'000'000'000'000'000ULL;
// A run of drops longer than this means the budget leaves nothing to deliver: report "no frame" instead of spinning.
constexpr int kMaxConsecutiveDrops = 1'000'000;

// floor(ticks * 100 / 9); callers clamp to the counter's zero first.
int64_t ticks_to_us(int64_t ticks)
{
    return ticks * 100 / 9;
}

uint64_t splitmix(uint64_t x)
{
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

uint64_t hash_serial(const std::string &s)
{
    uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s)
        h = (h ^ c) * 1099511628211ULL;
    return h;
}

// A value in [0, 1) that depends only on (seed, sensor, frame, what): the same frame gets the same fate whatever
// order threads ask in.
double unit(uint64_t seed, const std::string &serial, int64_t index, uint64_t what)
{
    uint64_t h = splitmix(seed ^ splitmix(hash_serial(serial) ^ splitmix(static_cast<uint64_t>(index) * 4 + what)));
    return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
}

std::string json_string(const std::string &s)
{
    std::string out = "\"";
    for (char c : s)
    {
        if (c == '"' || c == '\\')
            out += '\\';
        if (static_cast<unsigned char>(c) >= 0x20)
            out += c;
    }
    return out + "\"";
}

} // namespace

RigModel::RigModel(RigConfig config) : config_(std::move(config)), states_(config_.sensors.size()) {}

int RigModel::sensor_index(const std::string &serial) const
{
    for (size_t i = 0; i < config_.sensors.size(); i++)
        if (config_.sensors[i].serial == serial)
            return static_cast<int>(i);
    return -1;
}

bool RigModel::sync_in_plugged(int sensor) const
{
    return !config_.sensors[sensor].sync_in.empty();
}

bool RigModel::sync_out_plugged(int sensor) const
{
    for (const auto &s : config_.sensors)
        if (s.sync_in == config_.sensors[sensor].serial)
            return true;
    return false;
}

double RigModel::host_advance()
{
    double t = now_;
    now_ += config_.host_step_us;
    return t;
}

std::string RigModel::start_cameras(int sensor, const CameraSettings &settings)
{
    std::lock_guard<std::mutex> lock(mutex_);
    State &st = states_[sensor];
    const double period_us = 1e6 / settings.fps;
    // The SDK's own start-time checks (k4a.c validate_configuration), with its wording where it has one.
    if (st.started)
        return "the cameras are already started";
    if (settings.sync_mode == 1 && !sync_out_plugged(sensor))
        return "Failure to detect presence of sync out cable with wired sync mode MASTER";
    if (settings.sync_mode == 1 && !settings.color)
        return "a MASTER needs its colour camera: the sync pulse is the colour camera's VSYNC";
    if (settings.sync_mode == 2 && !sync_in_plugged(sensor))
        return "Failure to detect presence of sync in cable with wired sync mode SUBORDINATE";
    if (settings.subordinate_delay_us != 0 && settings.sync_mode != 2)
        return "subordinate_delay_off_master_usec must be 0 unless the sensor is a SUBORDINATE";
    if (settings.subordinate_delay_us > period_us)
        return "subordinate_delay_off_master_usec must not exceed one frame period";
    if (std::fabs(static_cast<double>(settings.depth_delay_us)) > period_us)
        return "depth_delay_off_color_usec must lie within one frame period";
    st = State{};
    st.started = true;
    st.settings = settings;
    st.start_time = host_advance();
    return {};
}

void RigModel::stop_cameras(int sensor)
{
    std::lock_guard<std::mutex> lock(mutex_);
    states_[sensor].gone = true;
    host_advance();
}

void RigModel::set_generator(bool on)
{
    std::lock_guard<std::mutex> lock(mutex_);
    // Switching it off again mid-take is not modelled: a crew that does so has a different problem.
    if (on && !generator_on_)
    {
        generator_on_ = true;
        generator_on_time_ = host_advance();
    }
}

RigModel::Source RigModel::find_source(int sensor) const
{
    const SensorConfig *c = &config_.sensors[sensor];
    for (size_t hop = 0; hop <= config_.sensors.size(); hop++)
    {
        if (c->sync_in.empty() || c->sync_in_dead)
            return {};
        if (c->sync_in == "generator")
        {
            if (config_.generator_rate_hz <= 0)
                return {};
            return {generator_on_ ? Source::kGenerator : Source::kWaiting, -1};
        }
        int up = sensor_index(c->sync_in);
        if (up < 0)
            return {};
        const State &s = states_[up];
        if (!s.started)
            return {Source::kWaiting, -1};
        if (s.settings.sync_mode == 1)
            return {Source::kMaster, up};
        if (s.settings.sync_mode != 2)
            return {}; // a standalone sensor's Sync Out is silent
        c = &config_.sensors[up]; // a subordinate's Sync Out mirrors its Sync In
    }
    return {}; // a loop of cables
}

double RigModel::pulse_period(const Source &s) const
{
    if (s.kind == Source::kGenerator)
        return 1e6 / config_.generator_rate_hz / (1.0 + config_.generator_ppm * 1e-6);
    const State &m = states_[s.master];
    return 1e6 / m.settings.fps / (1.0 + config_.sensors[s.master].crystal_ppm * 1e-6);
}

double RigModel::pulse_time(const Source &s, int64_t k) const
{
    double origin = s.kind == Source::kGenerator ? generator_on_time_ : states_[s.master].start_time;
    return origin + static_cast<double>(k) * pulse_period(s);
}

bool RigModel::resolve(int sensor)
{
    State &st = states_[sensor];
    const SensorConfig &c = config_.sensors[sensor];
    const int fps = st.settings.fps;
    bool subordinate = st.settings.sync_mode == 2;
    if (subordinate)
    {
        Source src = find_source(sensor);
        if (src.kind == Source::kWaiting)
            return false;
        st.source = src;
    }
    else
    {
        st.source = {};
    }
    if (st.source.kind != Source::kNone)
    {
        // The clock is zeroed at the first pulse after the sensor was armed.
        double first = pulse_time(st.source, 0);
        double k = std::ceil((st.start_time - first) / pulse_period(st.source));
        st.zero_pulse = k > 0 ? static_cast<int64_t>(k) : 0;
    }
    // Firmware start-up: a master delivers from about 66 ms, a subordinate from 220-250 ms after its first pulse.
    // Never frame 0: its exposure is centred on the clock's zero, so jitter would put it before the clock started
    // (at 5 fps, 66 ms rounds to no frame at all).
    st.startup_drops = c.startup_drops >= 0 ? c.startup_drops
                       : subordinate       ? static_cast<int64_t>(std::ceil(0.22 * fps))
                                           : std::max<int64_t>(1, std::lround(fps / 15.0));
    st.resolved = true;
    return true;
}

int64_t RigModel::jitter(int sensor, int64_t index, int which) const
{
    int32_t j = config_.jitter_ticks;
    if (j == 0)
        return 0;
    double u = unit(config_.seed, config_.sensors[sensor].serial, index, static_cast<uint64_t>(which));
    return static_cast<int64_t>(std::floor(u * (2 * j + 1))) - j;
}

Frame RigModel::make_frame(int sensor, int64_t index) const
{
    const State &st = states_[sensor];
    const SensorConfig &c = config_.sensors[sensor];
    const double d = c.crystal_ppm * 1e-6;
    const double nominal_us = 1e6 / st.settings.fps;
    const int64_t period_ticks = 90000 / st.settings.fps;
    const int64_t sub_delay_ticks = st.settings.sync_mode == 2 ? st.settings.subordinate_delay_us * 9 / 100 : 0;
    const int64_t depth_delay_ticks = static_cast<int64_t>(st.settings.depth_delay_us) * 9 / 100;
    const int64_t since_zero = st.startup_drops + index;

    Frame f;
    f.index = index;
    bool locked_source = st.source.kind != Source::kNone;
    bool unlocked = locked_source && c.unlock_at >= 0 && index >= c.unlock_at;
    auto locked_at = [&](int64_t k, int64_t &ticks, double &true_time) {
        double pz = pulse_time(st.source, st.zero_pulse);
        double pk = pulse_time(st.source, st.zero_pulse + k);
        ticks = std::llround((1.0 + d) * (pk - pz) * kTicksPerUs) + sub_delay_ticks;
        true_time = pk + static_cast<double>(sub_delay_ticks) / kTicksPerUs / (1.0 + d);
    };
    if (!locked_source)
    {
        f.color_ticks = since_zero * period_ticks;
        f.true_time_us = st.start_time + static_cast<double>(since_zero) * nominal_us / (1.0 + d);
    }
    else if (!unlocked)
    {
        locked_at(since_zero, f.color_ticks, f.true_time_us);
        f.pulse = st.zero_pulse + since_zero;
        f.locked = true;
    }
    else
    {
        // Pulses gone: it carries on from its last locked frame at its own crystal's pace.
        int64_t base_ticks = 0;
        double base_time = 0;
        int64_t last_locked = st.startup_drops + c.unlock_at - 1;
        locked_at(last_locked, base_ticks, base_time);
        int64_t steps = since_zero - last_locked;
        f.color_ticks = base_ticks + steps * period_ticks;
        f.true_time_us = base_time + static_cast<double>(steps) * nominal_us / (1.0 + d);
    }
    // The counter cannot read before its zero: a rig that asks for no start-up drops gets 0, never a negative time.
    f.color_us = c.clock_origin_us + ticks_to_us(std::max<int64_t>(0, f.color_ticks + jitter(sensor, index, 0)));
    f.depth_us = c.clock_origin_us + ticks_to_us(std::max<int64_t>(0, f.color_ticks + depth_delay_ticks + jitter(sensor, index, 1)));
    double arrival = f.true_time_us + config_.usb_latency_us + config_.usb_jitter_us * unit(config_.seed, c.serial, index, 2);
    f.host_arrival_ns = kHostEpochNs + static_cast<uint64_t>(std::llround(arrival * (1.0 + config_.host_ppm * 1e-6) * 1000.0));
    return f;
}

std::string RigModel::drop_cause(int sensor, int64_t index) const
{
    const SensorConfig &c = config_.sensors[sensor];
    for (const auto &d : c.drops)
        if (index >= d.frame && index < d.frame + d.count)
            return "scheduled";
    // Budgets are shared by every streaming sensor: beyond them the host loses the overflow, frame by frame.
    double demand = 0;
    for (const auto &s : states_)
        if (s.started && !s.gone)
            demand += static_cast<double>(s.settings.color_bytes + 2 * s.settings.depth_bytes) * s.settings.fps / 1e6;
    if (config_.usb_budget_mbps > 0 && demand > config_.usb_budget_mbps &&
        unit(config_.seed, c.serial, index, 3) < 1.0 - config_.usb_budget_mbps / demand)
        return "usb";
    if (config_.disk_mbps > 0 && demand > config_.disk_mbps &&
        unit(config_.seed, c.serial, index, 4) < 1.0 - config_.disk_mbps / demand)
        return "disk";
    return {};
}

NextResult RigModel::next_frame(int sensor, Frame &out)
{
    std::lock_guard<std::mutex> lock(mutex_);
    State &st = states_[sensor];
    const SensorConfig &c = config_.sensors[sensor];
    if (!st.started || st.gone)
        return NextResult::kGone;
    if (!st.resolved && !resolve(sensor))
        return NextResult::kWait;
    for (int tries = 0; tries < kMaxConsecutiveDrops; tries++)
    {
        int64_t n = st.next_index++;
        if (c.disconnect_at >= 0 && n >= c.disconnect_at)
        {
            st.gone = true;
            return NextResult::kGone;
        }
        Frame f = make_frame(sensor, n);
        std::string cause = drop_cause(sensor, n);
        if (!cause.empty())
        {
            st.drops.push_back({n, f.pulse, f.color_us, cause});
            continue;
        }
        if (st.first_color_us < 0)
            st.first_color_us = f.color_us;
        st.last_color_us = f.color_us;
        st.frames.push_back(f);
        out = f;
        return NextResult::kFrame;
    }
    return NextResult::kWait;
}

bool RigModel::next_imu(int sensor, int64_t &timestamp_us)
{
    std::lock_guard<std::mutex> lock(mutex_);
    State &st = states_[sensor];
    if (st.first_color_us < 0)
        return false;
    // The IMU runs on the device clock at its rate from the first delivered frame, whatever frames are lost later.
    int64_t ts = st.first_color_us + static_cast<int64_t>(std::floor(static_cast<double>(st.imu_next) * 1e6 / config_.imu_rate_hz));
    if (ts > st.last_color_us)
        return false;
    st.imu_next++;
    timestamp_us = ts;
    return true;
}

std::string RigModel::truth_json() const
{
    std::lock_guard<std::mutex> lock(mutex_);
    std::ostringstream o;
    o << std::setprecision(15);
    o << "{\"generator\":{\"rateHz\":" << config_.generator_rate_hz << ",\"ppm\":" << config_.generator_ppm
      << ",\"on\":" << (generator_on_ ? "true" : "false") << ",\"onTimeUs\":" << generator_on_time_ << "},";
    o << "\"jitterTicks\":" << config_.jitter_ticks << ",\"seed\":" << config_.seed << ",\"hostPpm\":" << config_.host_ppm
      << ",\"sensors\":[";
    for (size_t i = 0; i < states_.size(); i++)
    {
        const State &st = states_[i];
        const SensorConfig &c = config_.sensors[i];
        if (i)
            o << ",";
        o << "{\"serial\":" << json_string(c.serial) << ",\"started\":" << (st.started ? "true" : "false");
        if (st.started)
        {
            static const char *modes[] = {"STANDALONE", "MASTER", "SUBORDINATE"};
            int mode = st.settings.sync_mode >= 0 && st.settings.sync_mode <= 2 ? st.settings.sync_mode : 0;
            const char *source = st.source.kind == Source::kGenerator ? "generator"
                                 : st.source.kind == Source::kMaster  ? "master"
                                                                      : "own_clock";
            double rate_ppm = 0;
            if (st.resolved && st.source.kind != Source::kNone)
                rate_ppm = ((1.0 + c.crystal_ppm * 1e-6) * pulse_period(st.source) * st.settings.fps / 1e6 - 1.0) * 1e6;
            o << ",\"mode\":\"" << modes[mode] << "\",\"fps\":" << st.settings.fps
              << ",\"startTimeUs\":" << st.start_time << ",\"source\":\"" << source << "\"";
            if (st.source.kind == Source::kMaster)
                o << ",\"sourceSerial\":" << json_string(config_.sensors[st.source.master].serial);
            o << ",\"crystalPpm\":" << c.crystal_ppm << ",\"lockedRatePpm\":" << rate_ppm
              << ",\"zeroPulse\":" << st.zero_pulse << ",\"startupDrops\":" << st.startup_drops
              << ",\"unlockAt\":" << c.unlock_at << ",\"disconnectAt\":" << c.disconnect_at
              << ",\"depthDelayUs\":" << st.settings.depth_delay_us
              << ",\"subordinateDelayUs\":" << st.settings.subordinate_delay_us;
            // One JSON array per field, so readers get columns rather than a list of objects.
            auto column = [&](const char *name, auto field) {
                o << "\"" << name << "\":[";
                for (size_t f = 0; f < st.frames.size(); f++)
                    o << (f ? "," : "") << field(st.frames[f]);
                o << "]";
            };
            o << ",\"frames\":{";
            column("index", [](const Frame &f) { return f.index; });
            o << ",";
            column("pulse", [](const Frame &f) { return f.pulse; });
            o << ",";
            column("colorUs", [](const Frame &f) { return f.color_us; });
            o << ",";
            column("depthUs", [](const Frame &f) { return f.depth_us; });
            o << ",";
            column("trueTimeUs", [](const Frame &f) { return f.true_time_us; });
            o << ",";
            column("hostArrivalNs", [](const Frame &f) { return f.host_arrival_ns; });
            o << ",";
            column("locked", [](const Frame &f) { return f.locked ? 1 : 0; });
            o << "},\"drops\":[";
            for (size_t d = 0; d < st.drops.size(); d++)
                o << (d ? "," : "") << "{\"index\":" << st.drops[d].index << ",\"pulse\":" << st.drops[d].pulse
                  << ",\"colorUs\":" << st.drops[d].color_us << ",\"cause\":\"" << st.drops[d].cause << "\"}";
            // The IMU stream the host was handed: from the first delivered frame's colour time, so a reader can rebuild
            // every sample time as imuFirstUs + floor(k * 1e6 / imuRateHz) for k < imuSamples.
            o << "],\"imuFirstUs\":" << st.first_color_us << ",\"imuRateHz\":" << config_.imu_rate_hz << ",\"imuSamples\":" << st.imu_next;
            o << ",\"gone\":" << (st.gone ? "true" : "false");
        }
        o << "}";
    }
    o << "]}";
    return o.str();
}

} // namespace k4sync::sim
