// Contract tests for the k4a_image_*, k4a_capture_* and k4a_record_* implementations: argument checks, reference
// counting, call order, and the reorder/flush timing rules of the writer. Plain asserts; exit code 0 means pass.
//
//   record_api_test [scratch-dir]     (default: the system temp dir)
#include "cluster_queue.h"
#include "k4a_api.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

int g_failures = 0;

#define EXPECT(cond)                                                                                                   \
    do                                                                                                                 \
    {                                                                                                                  \
        if (!(cond))                                                                                                   \
        {                                                                                                              \
            std::fprintf(stderr, "%s:%d: expectation failed: %s\n", __FILE__, __LINE__, #cond);                       \
            g_failures++;                                                                                              \
        }                                                                                                              \
    } while (0)

std::string g_dir;

std::string scratch(const char *name)
{
    return g_dir + "/" + name;
}

std::atomic<int> g_released{0};
void count_release(void *buffer, void *context)
{
    EXPECT(context == &g_released);
    std::free(buffer);
    g_released++;
}

void test_images()
{
    k4a_image_t image = nullptr;
    EXPECT(K4A_FAILED(k4a_image_create(K4A_IMAGE_FORMAT_COLOR_MJPG, 1280, 720, 0, &image))); // no fixed size
    EXPECT(K4A_FAILED(k4a_image_create(K4A_IMAGE_FORMAT_DEPTH16, 0, 576, 0, &image)));
    EXPECT(K4A_FAILED(k4a_image_create(K4A_IMAGE_FORMAT_DEPTH16, 640, 576, 100, &image))); // stride < row
    EXPECT(K4A_FAILED(k4a_image_create(K4A_IMAGE_FORMAT_COLOR_NV12, 641, 576, 0, &image)));
    EXPECT(K4A_FAILED(k4a_image_create(K4A_IMAGE_FORMAT_DEPTH16, 640, 576, 0, nullptr)));

    EXPECT(K4A_SUCCEEDED(k4a_image_create(K4A_IMAGE_FORMAT_DEPTH16, 640, 576, 0, &image)));
    EXPECT(k4a_image_get_size(image) == 640u * 576u * 2u);
    EXPECT(k4a_image_get_stride_bytes(image) == 1280);
    EXPECT(k4a_image_get_format(image) == K4A_IMAGE_FORMAT_DEPTH16);
    k4a_image_set_device_timestamp_usec(image, 123456);
    k4a_image_set_system_timestamp_nsec(image, 987654321);
    EXPECT(k4a_image_get_device_timestamp_usec(image) == 123456);
    EXPECT(k4a_image_get_system_timestamp_nsec(image) == 987654321);
    k4a_image_release(image);

    EXPECT(K4A_SUCCEEDED(k4a_image_create(K4A_IMAGE_FORMAT_COLOR_NV12, 1280, 720, 0, &image)));
    EXPECT(k4a_image_get_size(image) == 1280u * 720u * 3u / 2u);
    k4a_image_release(image);

    // Invalid handles are tolerated, never crash.
    EXPECT(k4a_image_get_buffer(nullptr) == nullptr);
    EXPECT(k4a_image_get_format(nullptr) == K4A_IMAGE_FORMAT_CUSTOM);
    k4a_image_release(nullptr);
    k4a_image_reference(nullptr);

    // create_from_buffer: the callback runs once, when the last reference goes.
    auto *buffer = static_cast<uint8_t *>(std::malloc(16));
    EXPECT(K4A_FAILED(k4a_image_create_from_buffer(
        K4A_IMAGE_FORMAT_COLOR_MJPG, 16, 16, 0, buffer, 0, count_release, &g_released, &image)));
    EXPECT(g_released == 0); // on failure the buffer stays the caller's
    EXPECT(K4A_SUCCEEDED(k4a_image_create_from_buffer(
        K4A_IMAGE_FORMAT_COLOR_MJPG, 16, 16, 0, buffer, 16, count_release, &g_released, &image)));
    k4a_image_reference(image);
    k4a_image_release(image);
    EXPECT(g_released == 0);

    // Concurrent reference/release from several threads ends with exactly one callback.
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; t++)
        k4a_image_reference(image);
    for (int t = 0; t < 4; t++)
        threads.emplace_back([image] {
            for (int i = 0; i < 10000; i++)
            {
                k4a_image_reference(image);
                k4a_image_release(image);
            }
            k4a_image_release(image);
        });
    for (auto &thread : threads)
        thread.join();
    EXPECT(g_released == 0);
    k4a_image_release(image);
    EXPECT(g_released == 1);
}

void test_captures()
{
    EXPECT(K4A_FAILED(k4a_capture_create(nullptr)));
    k4a_capture_t capture = nullptr;
    EXPECT(K4A_SUCCEEDED(k4a_capture_create(&capture)));
    EXPECT(k4a_capture_get_color_image(capture) == nullptr);

    auto *buffer = static_cast<uint8_t *>(std::malloc(8));
    k4a_image_t image = nullptr;
    g_released = 0;
    EXPECT(K4A_SUCCEEDED(k4a_image_create_from_buffer(
        K4A_IMAGE_FORMAT_DEPTH16, 2, 2, 4, buffer, 8, count_release, &g_released, &image)));
    k4a_capture_set_depth_image(capture, image);
    k4a_image_release(image); // the capture holds its own reference
    EXPECT(g_released == 0);
    k4a_image_t got = k4a_capture_get_depth_image(capture);
    EXPECT(got == image);
    k4a_image_release(got);

    k4a_capture_reference(capture);
    k4a_capture_release(capture);
    EXPECT(g_released == 0);
    k4a_capture_set_depth_image(capture, nullptr); // clearing the slot drops the image
    EXPECT(g_released == 1);
    k4a_capture_release(capture);

    // Wrong handle types are refused (a capture is not an image).
    k4a_capture_t other = nullptr;
    EXPECT(K4A_SUCCEEDED(k4a_capture_create(&other)));
    k4a_capture_set_color_image(other, reinterpret_cast<k4a_image_t>(other));
    EXPECT(k4a_capture_get_color_image(other) == nullptr);
    k4a_capture_release(other);
    k4a_capture_release(nullptr);
}

k4a_device_configuration_t depth_only_config()
{
    k4a_device_configuration_t config = K4A_DEVICE_CONFIG_INIT_DISABLE_ALL;
    config.depth_mode = K4A_DEPTH_MODE_NFOV_2X2BINNED;
    config.camera_fps = K4A_FRAMES_PER_SECOND_30;
    return config;
}

k4a_capture_t depth_capture(uint64_t timestamp_usec)
{
    k4a_capture_t capture = nullptr;
    k4a_image_t image = nullptr;
    k4a_capture_create(&capture);
    k4a_image_create(K4A_IMAGE_FORMAT_DEPTH16, 320, 288, 0, &image);
    k4a_image_set_device_timestamp_usec(image, timestamp_usec);
    k4a_capture_set_depth_image(capture, image);
    k4a_image_release(image);
    return capture;
}

k4a_result_t write_depth(k4a_record_t recording, uint64_t timestamp_usec)
{
    k4a_capture_t capture = depth_capture(timestamp_usec);
    const k4a_result_t result = k4a_record_write_capture(recording, capture);
    k4a_capture_release(capture);
    return result;
}

void test_record_contract()
{
    const k4a_device_configuration_t config = depth_only_config();
    k4a_record_t recording = nullptr;
    EXPECT(K4A_FAILED(k4a_record_create(nullptr, nullptr, config, &recording)));
    EXPECT(K4A_FAILED(k4a_record_create(scratch("x.mkv").c_str(), nullptr, config, nullptr)));

    k4a_device_configuration_t bad = config;
    bad.color_resolution = K4A_COLOR_RESOLUTION_720P;
    bad.color_format = K4A_IMAGE_FORMAT_DEPTH16; // not a colour format
    EXPECT(K4A_FAILED(k4a_record_create(scratch("bad.mkv").c_str(), nullptr, bad, &recording)));
    EXPECT(recording == nullptr);

    // A device handle without a registered device implementation is refused.
    EXPECT(K4A_FAILED(k4a_record_create(
        scratch("dev.mkv").c_str(), reinterpret_cast<k4a_device_t>(&g_failures), config, &recording)));

    EXPECT(K4A_SUCCEEDED(k4a_record_create(scratch("contract.mkv").c_str(), nullptr, config, &recording)));
    EXPECT(K4A_FAILED(k4a_record_add_tag(recording, "lower_case", "x")));
    EXPECT(K4A_FAILED(k4a_record_add_tag(recording, "", "x")));
    EXPECT(K4A_FAILED(k4a_record_add_tag(recording, "OK", nullptr)));
    EXPECT(K4A_SUCCEEDED(k4a_record_add_tag(recording, "MY-TAG_1", "value")));
    EXPECT(K4A_FAILED(write_depth(recording, 1000))); // header not written yet
    EXPECT(K4A_FAILED(k4a_record_flush(recording)));
    k4a_imu_sample_t sample{};
    sample.acc_timestamp_usec = 1000;
    EXPECT(K4A_FAILED(k4a_record_write_imu_sample(recording, sample))); // no IMU track
    EXPECT(K4A_SUCCEEDED(k4a_record_add_imu_track(recording)));
    EXPECT(K4A_FAILED(k4a_record_add_imu_track(recording))); // only once
    EXPECT(K4A_FAILED(k4a_record_add_custom_subtitle_track(recording, "IMU", "S_X", nullptr, 0, nullptr)));
    EXPECT(K4A_FAILED(k4a_record_add_custom_subtitle_track(recording, "bad name", "S_X", nullptr, 0, nullptr)));
    const uint8_t context[3] = {1, 2, 3};
    EXPECT(K4A_SUCCEEDED(k4a_record_add_custom_subtitle_track(recording, "NOTES", "S_X", context, 3, nullptr)));
    k4a_record_video_settings_t video = {16, 16, 0};
    EXPECT(K4A_FAILED(k4a_record_add_custom_video_track(recording, "VID", "V_X", nullptr, 0, &video)));
    video.frame_rate = 30;
    EXPECT(K4A_SUCCEEDED(k4a_record_add_custom_video_track(recording, "VID", "V_X", nullptr, 0, &video)));

    EXPECT(K4A_SUCCEEDED(k4a_record_write_header(recording)));
    EXPECT(K4A_FAILED(k4a_record_write_header(recording)));
    EXPECT(K4A_FAILED(k4a_record_add_tag(recording, "LATE", "x")));
    EXPECT(K4A_FAILED(k4a_record_add_imu_track(recording)));
    const uint8_t attachment[4] = {0};
    EXPECT(K4A_FAILED(k4a_record_add_attachment(recording, "late.bin", attachment, sizeof(attachment))));

    uint8_t note[5] = {'h', 'e', 'l', 'l', 'o'};
    EXPECT(K4A_FAILED(k4a_record_write_custom_track_data(recording, "DEPTH", 1000, note, 5))); // built-in
    EXPECT(K4A_FAILED(k4a_record_write_custom_track_data(recording, "NOPE", 1000, note, 5)));
    EXPECT(K4A_SUCCEEDED(k4a_record_write_custom_track_data(recording, "NOTES", 1000, note, 5)));
    EXPECT(K4A_FAILED(k4a_record_write_capture(recording, nullptr)));

    // A colour image in a depth-only recording: refused, while the depth image of the same capture is written.
    k4a_capture_t capture = depth_capture(2000);
    k4a_image_t colour = nullptr;
    auto *jpeg = static_cast<uint8_t *>(std::malloc(4));
    std::memset(jpeg, 0, 4);
    k4a_image_create_from_buffer(K4A_IMAGE_FORMAT_COLOR_MJPG, 2, 2, 0, jpeg, 4, count_release, &g_released, &colour);
    k4a_capture_set_color_image(capture, colour);
    k4a_image_release(colour);
    EXPECT(K4A_FAILED(k4a_record_write_capture(recording, capture)));
    k4a_capture_release(capture);

    // An image of the wrong format for its slot is refused.
    capture = nullptr;
    k4a_capture_create(&capture);
    k4a_image_t ir_as_depth = nullptr;
    k4a_image_create(K4A_IMAGE_FORMAT_IR16, 320, 288, 0, &ir_as_depth);
    k4a_capture_set_depth_image(capture, ir_as_depth);
    k4a_image_release(ir_as_depth);
    EXPECT(K4A_FAILED(k4a_record_write_capture(recording, capture)));
    k4a_capture_release(capture);

    k4a_record_close(recording);
    k4a_record_close(nullptr);
}

void test_reorder_window()
{
    k4a_record_t recording = nullptr;
    EXPECT(K4A_SUCCEEDED(k4a_record_create(scratch("reorder.mkv").c_str(), nullptr, depth_only_config(), &recording)));
    EXPECT(K4A_SUCCEEDED(k4a_record_write_header(recording)));
    EXPECT(K4A_SUCCEEDED(write_depth(recording, 1'000'000)));
    EXPECT(K4A_SUCCEEDED(write_depth(recording, 2'900'000)));
    // 1.9 s late: still inside the 2 s window (its cluster is not written yet).
    EXPECT(K4A_SUCCEEDED(write_depth(recording, 1'000'500)));
    EXPECT(K4A_SUCCEEDED(write_depth(recording, 3'100'000)));
    // The window [992, 1024) ms ended more than 2 s before 3.1 s: it is on disk, older data is refused.
    EXPECT(K4A_FAILED(write_depth(recording, 1'010'000)));
    EXPECT(K4A_SUCCEEDED(k4a_record_flush(recording)));
    // After a flush nothing at or before the newest flushed item is accepted, newer is.
    EXPECT(K4A_FAILED(write_depth(recording, 3'100'000)));
    EXPECT(K4A_SUCCEEDED(write_depth(recording, 3'100'001)));
    k4a_record_close(recording);
}

void test_cluster_grid()
{
    using k4sync::mkv::ClusterQueue;
    using k4sync::mkv::PendingCluster;
    using k4sync::mkv::QueuedFrame;
    ClusterQueue queue;
    auto add = [&](uint64_t ns) { return queue.add(QueuedFrame{ns, 1, {}}); };
    // Windows are 32 ms on the absolute grid from device time 0.
    EXPECT(add(100'000'000) == ClusterQueue::AddResult::kQueued); // [96, 128) ms
    EXPECT(add(40'000'000) == ClusterQueue::AddResult::kQueued);  // [32, 64) ms, before the first
    EXPECT(add(127'999'999) == ClusterQueue::AddResult::kQueued); // same window as 100 ms
    EXPECT(add(2'200'000'000) == ClusterQueue::AddResult::kQueued);
    PendingCluster cluster;
    EXPECT(queue.pop_ready(&cluster));
    EXPECT(cluster.start_ns == 32'000'000 && cluster.end_ns == 64'000'000 && cluster.frames.size() == 1);
    EXPECT(queue.pop_ready(&cluster));
    EXPECT(cluster.start_ns == 96'000'000 && cluster.frames.size() == 2);
    EXPECT(!queue.pop_ready(&cluster)); // 2.2 s window is not 2 s old
    EXPECT(add(127'000'000) == ClusterQueue::AddResult::kTooOld);
    // A flush re-phases the grid to "newest flushed + 1 ns".
    auto all = queue.take_all_for_flush();
    EXPECT(all.size() == 1);
    EXPECT(add(2'200'000'000) == ClusterQueue::AddResult::kTooOld);
    EXPECT(add(2'250'000'000) == ClusterQueue::AddResult::kQueued);
    all = queue.take_all_for_flush();
    EXPECT(all.size() == 1 && all[0].start_ns == 2'232'000'001ull && all[0].end_ns == 2'264'000'001ull);
}

} // namespace

int main(int argc, char **argv)
{
    const char *tmp = std::getenv("TMPDIR");
    g_dir = argc > 1 ? argv[1] : (tmp != nullptr ? tmp : "/tmp");
    test_images();
    test_captures();
    test_record_contract();
    test_reorder_window();
    test_cluster_grid();
    if (g_failures != 0)
    {
        std::fprintf(stderr, "record_api_test: %d expectation(s) failed\n", g_failures);
        return 1;
    }
    std::printf("record_api_test: all expectations met\n");
    return 0;
}
