// k4a_record_*: the Azure Kinect recording API on top of MkvWriter, producing the tracks, tags and payloads k4arecord
// produces (spec §1 and §4). Every entry point catches everything: nothing may unwind into C callers.
#include "capture.h"
#include "k4a_payload.h"
#include "k4a_track_format.h"
#include "log.h"
#include "mkv_writer.h"
#include "record_device_query.h"

#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace {

// Our files say who wrote them: a reader that meets a problem in a file must be able to tell our writer from
// Microsoft's ("libmatroska-1.4.9" / "k4arecord-1.4.1").
constexpr const char *kMuxingApp = "k4sync-mkv-0.1.0";
constexpr const char *kWritingApp = "k4sync-sim-0.1.0";
constexpr const char *kTitle = "Azure Kinect";
constexpr const char *kVideoCodecId = "V_MS/VFW/FOURCC";
constexpr const char *kImuCodecId = "S_K4A/IMU";
// k4a_record_create reads the serial number into a buffer of this size; longer serials are left out.
constexpr size_t kSerialBufferSize = 256;

} // namespace

struct _k4a_record_t
{
    static constexpr uint32_t kMagic = 0x4B345243; // "K4RC"

    uint32_t magic = kMagic;
    // One lock per recording: the capture thread and an IMU thread may write concurrently, and the writer is not
    // thread-safe.
    std::mutex lock;
    k4a_device_configuration_t config{};
    k4sync::mkv::MkvWriter writer;
    uint32_t color_track = 0; // 0: no such track
    uint32_t depth_track = 0;
    uint32_t ir_track = 0;
    uint32_t imu_track = 0;
    std::map<std::string, uint32_t> custom_tracks; // name -> track number
};

namespace {

using k4sync::mkv::TagTarget;
using k4sync::mkv::TrackConfig;
using k4sync::mkv::TrackType;
using k4sync::mkv::WriteStatus;

bool valid_record(k4a_record_t handle)
{
    return handle != nullptr && handle->magic == _k4a_record_t::kMagic;
}

// Runs body() with the recording locked; any exception becomes K4A_RESULT_FAILED.
template <typename Body> k4a_result_t locked(k4a_record_t handle, const char *function, Body &&body) noexcept
{
    k4sync::RecordLogScope log_scope;
    k4sync::clear_last_error();
    if (!valid_record(handle))
    {
        K4S_LOG_ERROR("%s: invalid recording handle.", function);
        return K4A_RESULT_FAILED;
    }
    try
    {
        std::lock_guard<std::mutex> guard(handle->lock);
        return body(*handle);
    }
    catch (const std::exception &e)
    {
        K4S_LOG_ERROR("%s failed: %s", function, e.what());
    }
    catch (...)
    {
        K4S_LOG_ERROR("%s failed with an unknown exception.", function);
    }
    return K4A_RESULT_FAILED;
}

k4a_result_t from_bool(bool ok)
{
    return ok ? K4A_RESULT_SUCCEEDED : K4A_RESULT_FAILED;
}

std::string decimal(uint64_t value)
{
    return std::to_string(value);
}

// A track plus its K4A_*_TRACK tag (decimal UID, targeted at the track).
bool add_builtin_track(_k4a_record_t &rec,
                       const TrackConfig &config,
                       const char *track_tag,
                       uint32_t *number,
                       uint64_t *uid)
{
    return rec.writer.add_track(config, number, uid) &&
           rec.writer.add_tag(track_tag, decimal(*uid), TagTarget::kTrack, *uid);
}

TrackConfig video_track(const char *name, const k4sync::PixelSize &size, k4a_image_format_t format, uint32_t fps)
{
    TrackConfig config;
    config.name = name;
    config.codec_id = kVideoCodecId;
    config.type = TrackType::kVideo;
    config.codec_private = k4sync::bitmap_info_header(size, format);
    config.default_duration_ns = 1'000'000'000ull / fps; // integer division, as k4arecord: 33333333 at 30 fps
    config.pixel_width = size.width;
    config.pixel_height = size.height;
    return config;
}

// Firmware, serial-number and calibration data from a real (or simulated) device, as k4a_record_create adds them.
bool add_device_metadata(_k4a_record_t &rec, k4a_device_t device)
{
    const k4sync::RecordDeviceQuery *query = k4sync::record_device_query();
    if (query == nullptr || query->get_version == nullptr || query->get_serialnum == nullptr ||
        query->get_raw_calibration == nullptr)
    {
        K4S_LOG_ERROR("k4a_record_create was given a device, but no device implementation is registered.");
        return false;
    }

    k4a_hardware_version_t version{};
    if (K4A_FAILED(query->get_version(device, &version)))
    {
        K4S_LOG_ERROR("k4a_record_create: could not read the device's firmware versions.");
        return false;
    }
    auto version_string = [](const k4a_version_t &v) {
        return std::to_string(v.major) + "." + std::to_string(v.minor) + "." + std::to_string(v.iteration);
    };
    if (!rec.writer.add_tag("K4A_COLOR_FIRMWARE_VERSION", version_string(version.rgb), TagTarget::kGlobal, 0) ||
        !rec.writer.add_tag("K4A_DEPTH_FIRMWARE_VERSION", version_string(version.depth), TagTarget::kGlobal, 0))
        return false;

    // A serial number that cannot be read only loses its tag; the recording is still valid (k4arecord's rule).
    char serial[kSerialBufferSize] = {};
    size_t serial_size = sizeof(serial);
    if (query->get_serialnum(device, serial, &serial_size) == K4A_BUFFER_RESULT_SUCCEEDED)
    {
        serial[sizeof(serial) - 1] = '\0';
        if (!rec.writer.add_tag("K4A_DEVICE_SERIAL_NUMBER", serial, TagTarget::kGlobal, 0))
            return false;
    }
    else
    {
        K4S_LOG_WARNING("k4a_record_create: could not read the serial number; the tag is left out.");
    }

    size_t calibration_size = 0;
    if (query->get_raw_calibration(device, nullptr, &calibration_size) != K4A_BUFFER_RESULT_TOO_SMALL ||
        calibration_size == 0)
    {
        K4S_LOG_ERROR("k4a_record_create: could not read the device calibration.");
        return false;
    }
    std::vector<uint8_t> calibration(calibration_size);
    if (query->get_raw_calibration(device, calibration.data(), &calibration_size) != K4A_BUFFER_RESULT_SUCCEEDED ||
        calibration_size > calibration.size())
    {
        K4S_LOG_ERROR("k4a_record_create: could not read the device calibration.");
        return false;
    }
    // The file holds the JSON without the C string terminator the API returns.
    if (calibration_size > 0 && calibration[calibration_size - 1] == '\0')
        calibration_size--;
    uint64_t attachment_uid = 0;
    return rec.writer.add_attachment(
               "calibration.json", "application/octet-stream", calibration.data(), calibration_size, &attachment_uid) &&
           rec.writer.add_tag("K4A_CALIBRATION_FILE", "calibration.json", TagTarget::kAttachment, attachment_uid);
}

// Tracks and tags in k4arecord's order (spec §1.4, §1.8).
bool build_recording(_k4a_record_t &rec, const char *path, k4a_device_t device)
{
    const k4a_device_configuration_t &config = rec.config;

    // The configured rate sets DefaultDuration; an IMU-only recording (no valid rate) still needs one internally.
    uint32_t fps = k4sync::fps_value(config.camera_fps);
    if (fps == 0)
        fps = 30;

    // Validate everything before touching the file, so a bad configuration never truncates an existing one.
    k4sync::PixelSize color_size;
    std::string color_mode;
    if (config.color_resolution != K4A_COLOR_RESOLUTION_OFF)
    {
        if (!k4sync::color_resolution_size(config.color_resolution, &color_size))
        {
            K4S_LOG_ERROR("Unsupported color_resolution specified in recording: %d",
                          static_cast<int>(config.color_resolution));
            return false;
        }
        color_mode = k4sync::color_mode_name(config.color_format, color_size);
        if (color_mode.empty())
        {
            K4S_LOG_ERROR("Unsupported color_format specified in recording: %d", static_cast<int>(config.color_format));
            return false;
        }
    }
    k4sync::PixelSize depth_size;
    const char *depth_mode = nullptr;
    if (config.depth_mode != K4A_DEPTH_MODE_OFF)
    {
        depth_mode = k4sync::depth_mode_name(config.depth_mode);
        if (depth_mode == nullptr || !k4sync::depth_mode_size(config.depth_mode, &depth_size))
        {
            K4S_LOG_ERROR("Unsupported depth_mode specified in recording: %d", static_cast<int>(config.depth_mode));
            return false;
        }
    }

    k4sync::mkv::SegmentInfo info;
    info.muxing_app = kMuxingApp;
    info.writing_app = kWritingApp;
    info.title = kTitle;
    // DateUTC is the moment the recording is created, not the first frame (k4arecord does the same).
    info.date_unix_seconds = static_cast<int64_t>(std::time(nullptr));
    if (!rec.writer.create(path, info))
        return false;

    uint64_t uid = 0;
    if (config.color_resolution != K4A_COLOR_RESOLUTION_OFF)
    {
        if (!add_builtin_track(rec,
                               video_track("COLOR", color_size, config.color_format, fps),
                               "K4A_COLOR_TRACK",
                               &rec.color_track,
                               &uid) ||
            !rec.writer.add_tag("K4A_COLOR_MODE", color_mode, TagTarget::kTrack, uid))
            return false;
    }

    if (config.depth_mode == K4A_DEPTH_MODE_PASSIVE_IR)
    {
        // No depth track in passive IR, so the mode tag has nothing to target.
        if (!rec.writer.add_tag("K4A_DEPTH_MODE", depth_mode, TagTarget::kGlobal, 0))
            return false;
    }
    else if (config.depth_mode != K4A_DEPTH_MODE_OFF)
    {
        if (!add_builtin_track(rec,
                               video_track("DEPTH", depth_size, K4A_IMAGE_FORMAT_DEPTH16, fps),
                               "K4A_DEPTH_TRACK",
                               &rec.depth_track,
                               &uid) ||
            !rec.writer.add_tag("K4A_DEPTH_MODE", depth_mode, TagTarget::kTrack, uid))
            return false;
    }

    if (config.depth_mode != K4A_DEPTH_MODE_OFF)
    {
        const char *ir_mode = config.depth_mode == K4A_DEPTH_MODE_PASSIVE_IR ? "PASSIVE" : "ACTIVE";
        if (!add_builtin_track(
                rec, video_track("IR", depth_size, K4A_IMAGE_FORMAT_IR16, fps), "K4A_IR_TRACK", &rec.ir_track, &uid) ||
            !rec.writer.add_tag("K4A_IR_MODE", ir_mode, TagTarget::kTrack, uid))
            return false;
    }

    if (config.color_resolution != K4A_COLOR_RESOLUTION_OFF && config.depth_mode != K4A_DEPTH_MODE_OFF)
    {
        const int64_t delay_ns = static_cast<int64_t>(config.depth_delay_off_color_usec) * 1000;
        if (!rec.writer.add_tag("K4A_DEPTH_DELAY_NS", std::to_string(delay_ns), TagTarget::kGlobal, 0))
            return false;
    }

    switch (config.wired_sync_mode)
    {
    case K4A_WIRED_SYNC_MODE_STANDALONE:
        if (!rec.writer.add_tag("K4A_WIRED_SYNC_MODE", "STANDALONE", TagTarget::kGlobal, 0))
            return false;
        break;
    case K4A_WIRED_SYNC_MODE_MASTER:
        if (!rec.writer.add_tag("K4A_WIRED_SYNC_MODE", "MASTER", TagTarget::kGlobal, 0))
            return false;
        break;
    case K4A_WIRED_SYNC_MODE_SUBORDINATE:
        // Written even when the delay is 0.
        if (!rec.writer.add_tag("K4A_WIRED_SYNC_MODE", "SUBORDINATE", TagTarget::kGlobal, 0) ||
            !rec.writer.add_tag("K4A_SUBORDINATE_DELAY_NS",
                                decimal(static_cast<uint64_t>(config.subordinate_delay_off_master_usec) * 1000),
                                TagTarget::kGlobal,
                                0))
            return false;
        break;
    default:
        // k4arecord writes no sync tag for a value outside the enum; readers then assume STANDALONE.
        K4S_LOG_WARNING("Unknown wired_sync_mode %d: no K4A_WIRED_SYNC_MODE tag written.",
                        static_cast<int>(config.wired_sync_mode));
        break;
    }

    if (device != nullptr && !add_device_metadata(rec, device))
        return false;
    return true;
}

WriteStatus write_frame(_k4a_record_t &rec, uint32_t track, uint64_t timestamp_usec, std::vector<uint8_t> &&data)
{
    uint64_t timestamp_ns = 0;
    if (!k4sync::usec_to_nsec(timestamp_usec, &timestamp_ns))
    {
        K4S_LOG_ERROR("Device timestamp %llu us is out of range.", static_cast<unsigned long long>(timestamp_usec));
        return WriteStatus::kInvalid;
    }
    return rec.writer.write_frame(track, timestamp_ns, std::move(data));
}

// Holds the reference k4a_capture_get_*_image hands out, whatever happens while writing.
struct ImageReference
{
    k4a_image_t image;
    explicit ImageReference(k4a_image_t i) : image(i) {}
    ~ImageReference()
    {
        k4a_image_release(image);
    }
    ImageReference(const ImageReference &) = delete;
    ImageReference &operator=(const ImageReference &) = delete;
};

// Custom tracks are tracks like the built-in ones, tagged K4A_CUSTOM_TRACK_<NAME>, and written to by name.
k4a_result_t add_custom_track(_k4a_record_t &rec, const TrackConfig &config)
{
    uint32_t number = 0;
    uint64_t uid = 0;
    if (!add_builtin_track(rec, config, ("K4A_CUSTOM_TRACK_" + config.name).c_str(), &number, &uid))
        return K4A_RESULT_FAILED;
    rec.custom_tracks[config.name] = number;
    return K4A_RESULT_SUCCEEDED;
}

} // namespace

extern "C" {

k4a_result_t k4a_record_create(const char *path,
                               k4a_device_t device,
                               const k4a_device_configuration_t device_config,
                               k4a_record_t *recording_handle)
{
    k4sync::RecordLogScope log_scope;
    k4sync::clear_last_error();
    if (recording_handle == nullptr)
        return K4A_RESULT_FAILED;
    *recording_handle = nullptr;
    // The recording side's log lives as long as its handles, as the SDK's logger does: this reads the K4A_* variables.
    k4sync::log_acquire(k4sync::LogSide::kRecord);
    if (path == nullptr || path[0] == '\0')
    {
        K4S_LOG_ERROR("k4a_record_create: no path given.");
        k4sync::log_release(k4sync::LogSide::kRecord);
        return K4A_RESULT_FAILED;
    }
    try
    {
        auto rec = std::make_unique<_k4a_record_t>();
        rec->config = device_config;
        if (!build_recording(*rec, path, device))
        {
            rec->writer.close(); // nothing was written yet; just release the file
            k4sync::log_release(k4sync::LogSide::kRecord);
            return K4A_RESULT_FAILED;
        }
        *recording_handle = rec.release();
        return K4A_RESULT_SUCCEEDED;
    }
    catch (const std::exception &e)
    {
        K4S_LOG_ERROR("k4a_record_create failed: %s", e.what());
    }
    catch (...)
    {
        K4S_LOG_ERROR("k4a_record_create failed with an unknown exception.");
    }
    k4sync::log_release(k4sync::LogSide::kRecord);
    return K4A_RESULT_FAILED;
}

k4a_result_t k4a_record_add_tag(k4a_record_t recording_handle, const char *name, const char *value)
{
    if (name == nullptr || value == nullptr)
        return K4A_RESULT_FAILED;
    // User tags are global, in call order, and (unlike in k4arecord, which drops them silently) an invalid name
    // is refused with FAILED.
    return locked(recording_handle, "k4a_record_add_tag", [&](_k4a_record_t &rec) {
        return from_bool(rec.writer.add_tag(name, value, TagTarget::kGlobal, 0));
    });
}

k4a_result_t k4a_record_add_imu_track(k4a_record_t recording_handle)
{
    return locked(recording_handle, "k4a_record_add_imu_track", [&](_k4a_record_t &rec) {
        if (rec.writer.header_written())
        {
            K4S_LOG_ERROR("The IMU track must be added before the recording header is written.");
            return K4A_RESULT_FAILED;
        }
        if (rec.imu_track != 0)
        {
            K4S_LOG_ERROR("The IMU track has already been added to this recording.");
            return K4A_RESULT_FAILED;
        }
        TrackConfig config;
        config.name = "IMU";
        config.codec_id = kImuCodecId;
        config.type = TrackType::kSubtitle;
        config.high_freq = true;
        uint64_t uid = 0;
        uint32_t number = 0;
        if (!add_builtin_track(rec, config, "K4A_IMU_TRACK", &number, &uid) ||
            !rec.writer.add_tag("K4A_IMU_MODE", "ON", TagTarget::kTrack, uid))
            return K4A_RESULT_FAILED;
        rec.imu_track = number;
        return K4A_RESULT_SUCCEEDED;
    });
}

k4a_result_t k4a_record_add_attachment(const k4a_record_t recording_handle,
                                       const char *attachment_name,
                                       const uint8_t *buffer,
                                       size_t buffer_size)
{
    if (attachment_name == nullptr || buffer == nullptr)
        return K4A_RESULT_FAILED;
    // User attachments get no tag, so a calibration.json added here is found by its file name only.
    return locked(recording_handle, "k4a_record_add_attachment", [&](_k4a_record_t &rec) {
        uint64_t uid = 0;
        return from_bool(
            rec.writer.add_attachment(attachment_name, "application/octet-stream", buffer, buffer_size, &uid));
    });
}

k4a_result_t k4a_record_add_custom_video_track(const k4a_record_t recording_handle,
                                               const char *track_name,
                                               const char *codec_id,
                                               const uint8_t *codec_context,
                                               size_t codec_context_size,
                                               const k4a_record_video_settings_t *track_settings)
{
    if (track_name == nullptr || codec_id == nullptr || track_settings == nullptr ||
        (codec_context == nullptr && codec_context_size != 0))
        return K4A_RESULT_FAILED;
    return locked(recording_handle, "k4a_record_add_custom_video_track", [&](_k4a_record_t &rec) {
        if (track_settings->frame_rate == 0)
        {
            K4S_LOG_ERROR("Custom video track '%s' needs a non-zero frame rate.", track_name);
            return K4A_RESULT_FAILED;
        }
        TrackConfig config;
        config.name = track_name;
        config.codec_id = codec_id;
        config.type = TrackType::kVideo;
        if (codec_context != nullptr)
            config.codec_private.assign(codec_context, codec_context + codec_context_size);
        config.default_duration_ns = 1'000'000'000ull / track_settings->frame_rate;
        config.pixel_width = track_settings->width;
        config.pixel_height = track_settings->height;
        return add_custom_track(rec, config);
    });
}

k4a_result_t k4a_record_add_custom_subtitle_track(const k4a_record_t recording_handle,
                                                  const char *track_name,
                                                  const char *codec_id,
                                                  const uint8_t *codec_context,
                                                  size_t codec_context_size,
                                                  const k4a_record_subtitle_settings_t *track_settings)
{
    if (track_name == nullptr || codec_id == nullptr || (codec_context == nullptr && codec_context_size != 0))
        return K4A_RESULT_FAILED;
    return locked(recording_handle, "k4a_record_add_custom_subtitle_track", [&](_k4a_record_t &rec) {
        TrackConfig config;
        config.name = track_name;
        config.codec_id = codec_id;
        config.type = TrackType::kSubtitle;
        if (codec_context != nullptr)
            config.codec_private.assign(codec_context, codec_context + codec_context_size);
        config.high_freq = track_settings != nullptr && track_settings->high_freq_data;
        return add_custom_track(rec, config);
    });
}

k4a_result_t k4a_record_write_header(k4a_record_t recording_handle)
{
    return locked(recording_handle, "k4a_record_write_header", [&](_k4a_record_t &rec) {
        return from_bool(rec.writer.write_header());
    });
}

k4a_result_t k4a_record_write_capture(k4a_record_t recording_handle, k4a_capture_t capture_handle)
{
    if (!k4sync::is_valid_capture(capture_handle))
    {
        K4S_LOG_ERROR("k4a_record_write_capture: invalid capture handle.");
        return K4A_RESULT_FAILED;
    }
    return locked(recording_handle, "k4a_record_write_capture", [&](_k4a_record_t &rec) {
        if (!rec.writer.header_written())
        {
            K4S_LOG_ERROR("The recording header needs to be written before any captures.");
            return K4A_RESULT_FAILED;
        }
        const ImageReference images[] = {
            ImageReference(k4a_capture_get_color_image(capture_handle)),
            ImageReference(k4a_capture_get_depth_image(capture_handle)),
            ImageReference(k4a_capture_get_ir_image(capture_handle)),
        };
        const k4a_image_format_t expected[] = {rec.config.color_format,
                                               K4A_IMAGE_FORMAT_DEPTH16,
                                               K4A_IMAGE_FORMAT_IR16};
        const uint32_t tracks[] = {rec.color_track, rec.depth_track, rec.ir_track};

        // Like k4arecord: write every image that can be written, and report failure if any could not.
        k4a_result_t result = K4A_RESULT_SUCCEEDED;
        for (size_t i = 0; i < 3; i++)
        {
            const k4a_image_t image = images[i].image;
            const uint8_t *buffer = k4a_image_get_buffer(image);
            const size_t size = k4a_image_get_size(image);
            if (image == nullptr || buffer == nullptr || size == 0)
                continue; // nothing to write; not an error
            const k4a_image_format_t format = k4a_image_get_format(image);
            if (format != expected[i])
            {
                K4S_LOG_ERROR("Tried to write capture with unexpected image format.");
                result = K4A_RESULT_FAILED;
                continue;
            }
            if (tracks[i] == 0)
            {
                K4S_LOG_ERROR("Capture holds an image for a track this recording does not have.");
                result = K4A_RESULT_FAILED;
                continue;
            }
            std::vector<uint8_t> data;
            if (format == K4A_IMAGE_FORMAT_DEPTH16 || format == K4A_IMAGE_FORMAT_IR16)
                data = k4sync::big_endian_16_copy(buffer, size);
            else
                data.assign(buffer, buffer + size);
            const uint64_t timestamp_usec = k4a_image_get_device_timestamp_usec(image);
            if (write_frame(rec, tracks[i], timestamp_usec, std::move(data)) != WriteStatus::kOk)
                result = K4A_RESULT_FAILED;
        }
        return result;
    });
}

k4a_result_t k4a_record_write_imu_sample(k4a_record_t recording_handle, k4a_imu_sample_t imu_sample)
{
    return locked(recording_handle, "k4a_record_write_imu_sample", [&](_k4a_record_t &rec) {
        if (rec.imu_track == 0)
        {
            K4S_LOG_ERROR("The IMU track needs to be added with k4a_record_add_imu_track() before IMU samples can be "
                          "written.");
            return K4A_RESULT_FAILED;
        }
        std::vector<uint8_t> record;
        if (!k4sync::imu_record(imu_sample, &record))
        {
            K4S_LOG_ERROR("IMU timestamp out of range.");
            return K4A_RESULT_FAILED;
        }
        // The block time of a sample is its accelerometer timestamp.
        return from_bool(write_frame(rec, rec.imu_track, imu_sample.acc_timestamp_usec, std::move(record)) ==
                         WriteStatus::kOk);
    });
}

k4a_result_t k4a_record_write_custom_track_data(const k4a_record_t recording_handle,
                                                const char *track_name,
                                                uint64_t device_timestamp_usec,
                                                uint8_t *custom_data,
                                                size_t custom_data_size)
{
    if (track_name == nullptr || custom_data == nullptr)
        return K4A_RESULT_FAILED;
    return locked(recording_handle, "k4a_record_write_custom_track_data", [&](_k4a_record_t &rec) {
        const auto found = rec.custom_tracks.find(track_name);
        if (found == rec.custom_tracks.end())
        {
            // Also the answer for COLOR, DEPTH, IR and IMU: built-in tracks take data only through their own calls.
            K4S_LOG_ERROR("The custom track does not exist: %s", track_name);
            return K4A_RESULT_FAILED;
        }
        std::vector<uint8_t> data(custom_data, custom_data + custom_data_size);
        return from_bool(write_frame(rec, found->second, device_timestamp_usec, std::move(data)) ==
                         WriteStatus::kOk);
    });
}

k4a_result_t k4a_record_flush(k4a_record_t recording_handle)
{
    return locked(recording_handle, "k4a_record_flush", [&](_k4a_record_t &rec) {
        if (!rec.writer.header_written())
            return K4A_RESULT_FAILED;
        return from_bool(rec.writer.flush());
    });
}

void k4a_record_close(k4a_record_t recording_handle)
{
    k4sync::RecordLogScope log_scope;
    k4sync::clear_last_error();
    if (!valid_record(recording_handle))
        return;
    try
    {
        {
            std::lock_guard<std::mutex> guard(recording_handle->lock);
            if (!recording_handle->writer.close())
                K4S_LOG_ERROR("k4a_record_close: the recording could not be finalized.");
            recording_handle->magic = 0;
        }
        delete recording_handle;
    }
    catch (...)
    {
        K4S_LOG_ERROR("k4a_record_close failed with an exception.");
    }
    k4sync::log_release(k4sync::LogSide::kRecord);
}

} // extern "C"
