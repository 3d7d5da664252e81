#include "rig_config.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <sstream>

namespace k4sync::sim {
namespace {

bool parse_double(const std::string &s, double &out)
{
    if (s.empty())
        return false;
    char *end = nullptr;
    errno = 0;
    double v = std::strtod(s.c_str(), &end);
    if (errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v))
        return false;
    out = v;
    return true;
}

bool parse_int(const std::string &s, int64_t &out)
{
    if (s.empty())
        return false;
    char *end = nullptr;
    errno = 0;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno != 0 || end != s.c_str() + s.size())
        return false;
    out = v;
    return true;
}

// "100:3,250:1" -> drops
bool parse_drops(const std::string &s, std::vector<ScheduledDrop> &out)
{
    if (s.empty())
        return true;
    std::stringstream ss(s);
    std::string item;
    while (std::getline(ss, item, ','))
    {
        auto colon = item.find(':');
        ScheduledDrop d;
        if (colon == std::string::npos || !parse_int(item.substr(0, colon), d.frame) ||
            !parse_int(item.substr(colon + 1), d.count) || d.frame < 0 || d.count < 1)
            return false;
        out.push_back(d);
    }
    return true;
}

std::string apply_rig(const std::string &key, const std::string &value, RigConfig &rig)
{
    int64_t i = 0;
    double d = 0;
    if (key == "seed" && parse_int(value, i))
        rig.seed = static_cast<uint64_t>(i);
    else if (key == "jitter_ticks" && parse_int(value, i) && i >= 0 && i <= 1000)
        rig.jitter_ticks = static_cast<int32_t>(i);
    else if (key == "payload" && (value == "tiny" || value == "realistic"))
        rig.realistic_payload = value == "realistic";
    else if (key == "host_step_us" && parse_double(value, d) && d >= 0)
        rig.host_step_us = d;
    else if (key == "host_ppm" && parse_double(value, d))
        rig.host_ppm = d;
    else if (key == "usb_latency_us" && parse_double(value, d) && d >= 0)
        rig.usb_latency_us = d;
    else if (key == "usb_jitter_us" && parse_double(value, d) && d >= 0)
        rig.usb_jitter_us = d;
    else if (key == "usb_budget_mbps" && parse_double(value, d) && d >= 0)
        rig.usb_budget_mbps = d;
    else if (key == "disk_mbps" && parse_double(value, d) && d >= 0)
        rig.disk_mbps = d;
    else if (key == "generator_rate_hz" && parse_double(value, d) && d >= 0 && d < 1000)
        rig.generator_rate_hz = d;
    else if (key == "imu_rate_hz" && parse_double(value, d) && d >= 1 && d <= 10000)
        rig.imu_rate_hz = d;
    else if (key == "generator_ppm" && parse_double(value, d))
        rig.generator_ppm = d;
    else
        return "rig " + key + "=" + value + " is not valid";
    return {};
}

std::string apply_sensor(const std::string &key, const std::string &value, SensorConfig &s)
{
    int64_t i = 0;
    double d = 0;
    if (key == "serial" && !value.empty())
        s.serial = value;
    else if (key == "sync_in")
        s.sync_in = value == "none" ? "" : value;
    else if (key == "sync_in_dead" && (value == "0" || value == "1"))
        s.sync_in_dead = value == "1";
    else if (key == "ppm" && parse_double(value, d) && std::fabs(d) < 1e5)
        s.crystal_ppm = d;
    // Below 2^62 µs: the start offset in ns (origin times 1000) must stay within a signed 64-bit integer.
    else if (key == "clock_origin_us" && parse_int(value, i) && i >= 0 && i < (int64_t{1} << 62) / 1000)
        s.clock_origin_us = i;
    else if (key == "color_fw" && !value.empty())
        s.color_firmware = value;
    else if (key == "depth_fw" && !value.empty())
        s.depth_firmware = value;
    else if (key == "startup_drops" && parse_int(value, i) && i >= -1 && i < 1000)
        s.startup_drops = i;
    else if (key == "unlock_at" && parse_int(value, i) && i >= -1)
        s.unlock_at = i;
    else if (key == "disconnect_at" && parse_int(value, i) && i >= -1)
        s.disconnect_at = i;
    else if (key == "drops" && parse_drops(value, s.drops))
        ;
    else
        return "sensor " + key + "=" + value + " is not valid";
    return {};
}

} // namespace

std::string parse_rig_text(const std::string &text, RigConfig &out)
{
    RigConfig rig;
    std::stringstream lines(text);
    std::string line;
    int number = 0;
    while (std::getline(lines, line))
    {
        number++;
        std::stringstream words(line);
        std::string kind;
        if (!(words >> kind))
            continue;
        if (kind != "rig" && kind != "sensor")
            return "line " + std::to_string(number) + ": unknown entry '" + kind + "'";
        if (kind == "sensor")
            rig.sensors.emplace_back();
        std::string word;
        while (words >> word)
        {
            auto eq = word.find('=');
            if (eq == std::string::npos)
                return "line " + std::to_string(number) + ": '" + word + "' is not key=value";
            std::string key = word.substr(0, eq), value = word.substr(eq + 1);
            std::string err = kind == "rig" ? apply_rig(key, value, rig) : apply_sensor(key, value, rig.sensors.back());
            if (!err.empty())
                return "line " + std::to_string(number) + ": " + err;
        }
        if (kind == "sensor" && rig.sensors.back().serial.empty())
            return "line " + std::to_string(number) + ": a sensor needs a serial";
    }
    if (rig.sensors.empty())
        return "the rig has no sensors";
    for (size_t a = 0; a < rig.sensors.size(); a++)
        for (size_t b = a + 1; b < rig.sensors.size(); b++)
            if (rig.sensors[a].serial == rig.sensors[b].serial)
                return "two sensors share the serial " + rig.sensors[a].serial;
    out = std::move(rig);
    return {};
}

} // namespace k4sync::sim
