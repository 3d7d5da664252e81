// Writes a synthetic Azure Kinect recording through the k4a_record_* API, the way a capture loop would, so the result
// can be checked with mkvinfo, ffprobe and our TypeScript reader.
//
//   write_test_recording OUT.mkv [--seconds N] [--flush-every N] [--null-device] [--lacing-demo]
//                                [--abort-after-flush N] [--abort-before-close]
//
// Content: 3 s at 30 fps of MJPG 1280x720 colour (small, valid flat-grey JPEGs of ~3.8 KB), NFOV_UNBINNED depth and
// IR (full 640x576 buffers), IMU at 1666 Hz starting 5 ms before the first frame, and a custom subtitle track
// HOST_TIME (S_K4SYNC/HOSTTIME; each block a little-endian u64 host arrival time in ns, at the colour timestamp). The sensor is configured as a subordinate with depth delay 160 µs and subordinate delay 0. Device times
// follow the 90 kHz clock (µs = ticks * 100 / 9, truncated). The file is flushed every second.
//
//   --seconds N           record N seconds instead of 3.
//   --flush-every N       flush every N seconds instead of every second. With N > 2, clusters also reach the disk
//                         between flushes (the 2 s reorder window releases them), which is what --abort-before-close
//                         then leaves behind a flush.
//   --null-device         k4a_record_create(path, NULL, ...): no firmware/serial/calibration tags, no attachment;
//                         firmware and serial are then added with k4a_record_add_tag, as the SDK fixtures were.
//                         Default: a fake device answers the device queries, giving the full tag set.
//   --lacing-demo         also a high_freq_data custom track LACE_TEST with bursts of samples whose sizes make the
//                         writer use Xiph, EBML and fixed-size lacing.
//   --abort-after-flush N std::abort() right after the N-th flush.
//   --abort-before-close  write everything, then std::abort() instead of k4a_record_close (clusters after the last
//                         flush are on disk but not covered by it).
#include "grey_jpeg.h"
#include "k4a_api.h"
#include "record_device_query.h"

#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

namespace {

constexpr int kFps = 30;
constexpr uint64_t kTicksPerFrame = 90000 / kFps;
constexpr uint64_t kFirstColorTicks = 5880; // first colour frame at 65,333 µs
constexpr int32_t kDepthDelayUsec = 160;
constexpr double kImuRateHz = 1666.0;
constexpr uint64_t kImuLeadUsec = 5000; // IMU starts before the first frame, so it sets the start offset
constexpr int kHostTimeLagFrames = 15;  // HOST_TIME entries are written ~0.5 s late to exercise reordering
constexpr uint64_t kHostClockBaseNs = 7'000'000'000'000ull;

uint64_t ticks_to_usec(uint64_t ticks)
{
    return ticks * 100 / 9;
}

uint64_t color_usec(int frame)
{
    return ticks_to_usec(kFirstColorTicks + kTicksPerFrame * static_cast<uint64_t>(frame));
}

uint64_t depth_usec(int frame)
{
    // The device applies the delay on its 90 kHz grid: 160 µs becomes 14 ticks.
    const uint64_t delay_ticks = static_cast<uint64_t>(kDepthDelayUsec) * 9 / 100;
    return ticks_to_usec(kFirstColorTicks + kTicksPerFrame * static_cast<uint64_t>(frame) + delay_ticks);
}

uint64_t imu_usec(int index)
{
    return color_usec(0) - kImuLeadUsec + static_cast<uint64_t>(static_cast<double>(index) * 1e6 / kImuRateHz);
}

// ---- fake device (answers what k4a_record_create asks a device) ---------------------------------------------------

char g_fake_device_storage;
k4a_device_t fake_device()
{
    return reinterpret_cast<k4a_device_t>(&g_fake_device_storage);
}

const char kCalibrationJson[] =
    "{\"CalibrationInformation\":{\"Cameras\":[],\"InertialSensors\":[],\"Metadata\":{\"SerialId\":"
    "\"000123456789\",\"Note\":\"synthetic calibration written by write_test_recording\"}}}";

k4a_result_t fake_get_version(k4a_device_t device, k4a_hardware_version_t *version)
{
    if (device != fake_device() || version == nullptr)
        return K4A_RESULT_FAILED;
    *version = k4a_hardware_version_t{};
    version->rgb = {1, 6, 110};
    version->depth = {1, 6, 80};
    return K4A_RESULT_SUCCEEDED;
}

// The SDK's buffer protocol: report the size needed (with NUL) and TOO_SMALL when the buffer is missing or short.
k4a_buffer_result_t copy_out(const char *text, size_t text_size, void *out, size_t *out_size)
{
    if (out_size == nullptr)
        return K4A_BUFFER_RESULT_FAILED;
    if (out == nullptr || *out_size < text_size)
    {
        *out_size = text_size;
        return K4A_BUFFER_RESULT_TOO_SMALL;
    }
    std::memcpy(out, text, text_size);
    *out_size = text_size;
    return K4A_BUFFER_RESULT_SUCCEEDED;
}

k4a_buffer_result_t fake_get_serialnum(k4a_device_t device, char *serial, size_t *size)
{
    static const char kSerial[] = "000123456789";
    return device == fake_device() ? copy_out(kSerial, sizeof(kSerial), serial, size) : K4A_BUFFER_RESULT_FAILED;
}

k4a_buffer_result_t fake_get_raw_calibration(k4a_device_t device, uint8_t *data, size_t *size)
{
    return device == fake_device() ? copy_out(kCalibrationJson, sizeof(kCalibrationJson), data, size)
                                   : K4A_BUFFER_RESULT_FAILED;
}

const k4sync::RecordDeviceQuery kFakeDeviceQuery = {fake_get_version, fake_get_serialnum, fake_get_raw_calibration};

// ---- synthetic images -------------------------------------------------------------------------------------------

void free_buffer(void *buffer, void * /*context*/)
{
    std::free(buffer);
}

// A real (flat grey) JPEG per frame, a few KB like the SDK fixtures', with a comment naming frame and time.
k4a_image_t make_color(int frame, uint64_t timestamp_usec)
{
    char comment[96];
    std::snprintf(comment, sizeof(comment), "k4sync test frame %d color %" PRIu64 " us", frame, timestamp_usec);
    const std::vector<uint8_t> jpeg =
        k4sync::test::grey_jpeg(1280, 720, static_cast<uint8_t>(96 + frame % 64), comment);

    auto *buffer = static_cast<uint8_t *>(std::malloc(jpeg.size()));
    if (buffer == nullptr)
        return nullptr;
    std::memcpy(buffer, jpeg.data(), jpeg.size());
    k4a_image_t image = nullptr;
    if (K4A_FAILED(k4a_image_create_from_buffer(
            K4A_IMAGE_FORMAT_COLOR_MJPG, 1280, 720, 0, buffer, jpeg.size(), free_buffer, nullptr, &image)))
    {
        std::free(buffer);
        return nullptr;
    }
    k4a_image_set_device_timestamp_usec(image, timestamp_usec);
    return image;
}

k4a_image_t make_16bit(k4a_image_format_t format, int frame, uint64_t timestamp_usec)
{
    k4a_image_t image = nullptr;
    if (K4A_FAILED(k4a_image_create(format, 640, 576, 0, &image)))
        return nullptr;
    uint8_t *buffer = k4a_image_get_buffer(image);
    const int stride = k4a_image_get_stride_bytes(image);
    for (int y = 0; y < 576; y++)
    {
        auto *row = reinterpret_cast<uint16_t *>(buffer + static_cast<size_t>(y) * static_cast<size_t>(stride));
        for (int x = 0; x < 640; x++)
            row[x] = format == K4A_IMAGE_FORMAT_DEPTH16 ? static_cast<uint16_t>(500 + (x + y + frame) % 4000)
                                                        : static_cast<uint16_t>((x * y + frame) & 0x3FF);
    }
    k4a_image_set_device_timestamp_usec(image, timestamp_usec);
    return image;
}

// ---- the capture loop -------------------------------------------------------------------------------------------

struct Options
{
    const char *path = nullptr;
    bool null_device = false;
    bool lacing_demo = false;
    int abort_after_flush = 0;
    bool abort_before_close = false;
    int seconds = 3;
    int flush_every = 1;
};

bool parse(int argc, char **argv, Options *options)
{
    for (int i = 1; i < argc; i++)
    {
        const std::string arg = argv[i];
        if (arg == "--null-device")
            options->null_device = true;
        else if (arg == "--lacing-demo")
            options->lacing_demo = true;
        else if (arg == "--abort-before-close")
            options->abort_before_close = true;
        else if (arg == "--abort-after-flush" && i + 1 < argc)
            options->abort_after_flush = std::atoi(argv[++i]);
        else if (arg == "--seconds" && i + 1 < argc)
            options->seconds = std::atoi(argv[++i]);
        else if (arg == "--flush-every" && i + 1 < argc)
            options->flush_every = std::atoi(argv[++i]);
        else if (!arg.empty() && arg[0] != '-' && options->path == nullptr)
            options->path = argv[i];
        else
            return false;
    }
    return options->path != nullptr && options->seconds > 0 && options->seconds <= 3600 && options->flush_every > 0;
}

int g_failures = 0;

void check(k4a_result_t result, const char *what)
{
    if (K4A_FAILED(result))
    {
        std::fprintf(stderr, "write_test_recording: %s failed\n", what);
        g_failures++;
    }
}

struct PendingHostTime
{
    uint64_t device_usec;
    uint64_t host_ns;
};

void write_host_time(k4a_record_t recording, const PendingHostTime &entry)
{
    uint8_t payload[8];
    for (int i = 0; i < 8; i++)
        payload[i] = static_cast<uint8_t>(entry.host_ns >> (8 * i)); // little-endian u64, ns of the host clock
    check(k4a_record_write_custom_track_data(recording, "HOST_TIME", entry.device_usec, payload, sizeof(payload)),
          "k4a_record_write_custom_track_data(HOST_TIME)");
}

} // namespace

int main(int argc, char **argv)
{
    Options options;
    if (!parse(argc, argv, &options))
    {
        std::fprintf(stderr,
                     "usage: %s OUT.mkv [--seconds N] [--flush-every N] [--null-device] [--lacing-demo] "
                     "[--abort-after-flush N] [--abort-before-close]\n",
                     argv[0]);
        return 2;
    }

    k4a_device_configuration_t config = K4A_DEVICE_CONFIG_INIT_DISABLE_ALL;
    config.color_format = K4A_IMAGE_FORMAT_COLOR_MJPG;
    config.color_resolution = K4A_COLOR_RESOLUTION_720P;
    config.depth_mode = K4A_DEPTH_MODE_NFOV_UNBINNED;
    config.camera_fps = K4A_FRAMES_PER_SECOND_30;
    config.depth_delay_off_color_usec = kDepthDelayUsec;
    config.wired_sync_mode = K4A_WIRED_SYNC_MODE_SUBORDINATE;
    config.subordinate_delay_off_master_usec = 0;

    k4sync::set_record_device_query(&kFakeDeviceQuery);
    k4a_record_t recording = nullptr;
    if (K4A_FAILED(k4a_record_create(
            options.path, options.null_device ? nullptr : fake_device(), config, &recording)))
    {
        std::fprintf(stderr, "write_test_recording: k4a_record_create failed\n");
        return 1;
    }
    if (options.null_device)
    {
        check(k4a_record_add_tag(recording, "K4A_COLOR_FIRMWARE_VERSION", "1.6.110"), "add_tag");
        check(k4a_record_add_tag(recording, "K4A_DEPTH_FIRMWARE_VERSION", "1.6.80"), "add_tag");
        check(k4a_record_add_tag(recording, "K4A_DEVICE_SERIAL_NUMBER", "000123456789"), "add_tag");
    }
    check(k4a_record_add_imu_track(recording), "k4a_record_add_imu_track");
    check(k4a_record_add_custom_subtitle_track(recording, "HOST_TIME", "S_K4SYNC/HOSTTIME", nullptr, 0, nullptr),
          "k4a_record_add_custom_subtitle_track(HOST_TIME)");
    if (options.lacing_demo)
    {
        const k4a_record_subtitle_settings_t high_freq = {true};
        check(k4a_record_add_custom_subtitle_track(recording, "LACE_TEST", "S_K4SYNC/LACETEST", nullptr, 0, &high_freq),
              "k4a_record_add_custom_subtitle_track(LACE_TEST)");
    }
    check(k4a_record_add_tag(recording, "K4SYNC_TAKE", "write_test_recording"), "add_tag(K4SYNC_TAKE)");
    check(k4a_record_write_header(recording), "k4a_record_write_header");

    const int frames = options.seconds * kFps;
    int next_imu = 0;
    int next_lace = 0;
    int flushes = 0;
    std::deque<PendingHostTime> host_times;
    for (int frame = 0; frame < frames; frame++)
    {
        k4a_capture_t capture = nullptr;
        check(k4a_capture_create(&capture), "k4a_capture_create");
        k4a_image_t color = make_color(frame, color_usec(frame));
        k4a_image_t depth = make_16bit(K4A_IMAGE_FORMAT_DEPTH16, frame, depth_usec(frame));
        k4a_image_t ir = make_16bit(K4A_IMAGE_FORMAT_IR16, frame, depth_usec(frame));
        if (color == nullptr || depth == nullptr || ir == nullptr)
        {
            std::fprintf(stderr, "write_test_recording: could not build frame %d\n", frame);
            return 1;
        }
        // The capture takes its own references; ours go right away, as in a typical capture loop.
        k4a_capture_set_color_image(capture, color);
        k4a_capture_set_depth_image(capture, depth);
        k4a_capture_set_ir_image(capture, ir);
        k4a_image_release(color);
        k4a_image_release(depth);
        k4a_image_release(ir);
        check(k4a_record_write_capture(recording, capture), "k4a_record_write_capture");
        k4a_capture_release(capture);

        // IMU samples arrive in USB packets and are drained after each capture, so some are older than the capture
        // just written: the reorder window must absorb that.
        while (imu_usec(next_imu) < depth_usec(frame) + 10000)
        {
            k4a_imu_sample_t sample{};
            sample.temperature = 31.5f;
            sample.acc_timestamp_usec = imu_usec(next_imu);
            sample.gyro_timestamp_usec = sample.acc_timestamp_usec;
            sample.acc_sample.xyz = {0.01f * static_cast<float>(next_imu % 7), -9.81f, 0.02f};
            sample.gyro_sample.xyz = {0.001f, 0.002f * static_cast<float>(next_imu % 5), -0.003f};
            check(k4a_record_write_imu_sample(recording, sample), "k4a_record_write_imu_sample");
            next_imu++;
        }

        if (options.lacing_demo)
        {
            // Bursts of 6 samples 10 µs apart every 4 ms, so that runs stay together in one lace. Burst sizes cycle
            // through patterns that make libmatroska's rule pick each lacing: small and scattered (Xiph), large and
            // close (EBML), all equal (fixed). Written up to the same horizon as the IMU, so that nothing handed
            // over after a flush is older than the flush.
            for (;;)
            {
                const int burst = next_lace / 6;
                const int member = next_lace % 6;
                const uint64_t when = color_usec(0) + static_cast<uint64_t>(burst) * 4000 +
                                      static_cast<uint64_t>(member) * 10;
                if (when >= depth_usec(frame) + 10000)
                    break;
                size_t size = 0;
                switch (burst % 3)
                {
                case 0:
                    size = static_cast<size_t>(3 + (member * 97 + burst) % 250);
                    break;
                case 1:
                    size = static_cast<size_t>(1000 + member * 7);
                    break;
                default:
                    size = 24;
                    break;
                }
                std::vector<uint8_t> sample(size, static_cast<uint8_t>(next_lace));
                check(k4a_record_write_custom_track_data(recording, "LACE_TEST", when, sample.data(), sample.size()),
                      "k4a_record_write_custom_track_data(LACE_TEST)");
                next_lace++;
            }
        }

        host_times.push_back({color_usec(frame), kHostClockBaseNs + (color_usec(frame) + 9000) * 1000});
        while (host_times.size() > static_cast<size_t>(kHostTimeLagFrames))
        {
            write_host_time(recording, host_times.front());
            host_times.pop_front();
        }

        const bool flush_due = (frame + 1) % (kFps * options.flush_every) == 0;
        if (flush_due && frame + 1 < frames)
        {
            // Everything handed over so far must go into the flush: later data older than this point is refused.
            while (!host_times.empty())
            {
                write_host_time(recording, host_times.front());
                host_times.pop_front();
            }
            check(k4a_record_flush(recording), "k4a_record_flush");
            flushes++;
            std::printf("flushed after frame %d (device %" PRIu64 " us)\n", frame, depth_usec(frame));
            if (options.abort_after_flush == flushes)
            {
                std::printf("aborting right after flush %d\n", flushes);
                std::fflush(stdout);
                std::abort();
            }
            if (flushes == 1)
            {
                // Data older than a flushed point must be refused.
                uint8_t late[8] = {};
                if (K4A_SUCCEEDED(
                        k4a_record_write_custom_track_data(recording, "HOST_TIME", color_usec(0), late, sizeof(late))))
                {
                    std::fprintf(stderr, "write_test_recording: data older than the flush was accepted\n");
                    g_failures++;
                }
                else
                {
                    std::printf("data older than the flush was refused, as expected\n");
                }
            }
        }
    }
    while (!host_times.empty())
    {
        write_host_time(recording, host_times.front());
        host_times.pop_front();
    }

    if (options.abort_before_close)
    {
        std::printf("aborting before close\n");
        std::fflush(stdout);
        std::abort();
    }
    k4a_record_close(recording);
    std::printf("wrote %s: %d frames, %d IMU samples, %d failures\n", options.path, frames, next_imu, g_failures);
    return g_failures == 0 ? 0 : 1;
}
