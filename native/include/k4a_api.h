/*
 * k4a_api.h - k4sync's own declarations of the subset of the Azure Kinect C API that the capture layer uses.
 *
 * Written from the documented signatures and enum values (see ../shared/spec/k4a-recording-and-sync.md and the public
 * SDK reference). The SDK is never needed to build: the same declarations serve
 *   - the runtime loader, which resolves every name listed in K4A_API_FUNCTIONS from libk4a/libk4arecord (or the
 *     Orbbec wrapper) with dlsym or GetProcAddress, and
 *   - native/sim, which implements them, so code above this seam cannot tell a simulated rig from real sensors.
 *
 * Binary compatibility matters more than style here: enum values, struct field order and field types must match the
 * SDK's exactly, because a struct built by our code is passed by value into the real libk4arecord.
 *
 * Must stay valid C (C99) as well as C++: native/tests/k4a_api_c_check.c compiles it as C.
 */
#ifndef K4SYNC_K4A_API_H
#define K4SYNC_K4A_API_H

#ifdef __cplusplus
#include <cstddef>
#include <cstdint>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

/* Only the simulated rig exports these names. Its sources (and the writer linked into it) are compiled with
 * K4SYNC_EXPORTS, so that a Windows DLL exports them; everywhere else (the loader, which only takes function-pointer
 * types from these declarations, and the tests) the names are neither exported nor imported: nothing links against a
 * k4a library, it is loaded at run time. */
#if defined(_WIN32)
#if defined(K4SYNC_EXPORTS)
#define K4A_API_EXPORT __declspec(dllexport)
#else
#define K4A_API_EXPORT
#endif
#elif defined(__GNUC__) || defined(__clang__)
#define K4A_API_EXPORT __attribute__((visibility("default")))
#else
#define K4A_API_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Handles -------------------------------------------------------------------------------------------------- */

/* Opaque: callers only ever hold the pointer. Distinct struct tags give each handle its own type. */
typedef struct _k4a_device_t *k4a_device_t;
typedef struct _k4a_capture_t *k4a_capture_t;
typedef struct _k4a_image_t *k4a_image_t;
typedef struct _k4a_record_t *k4a_record_t;

/* ---- Result codes ---------------------------------------------------------------------------------------------- */

typedef enum
{
    K4A_RESULT_SUCCEEDED = 0,
    K4A_RESULT_FAILED = 1
} k4a_result_t;

typedef enum
{
    K4A_BUFFER_RESULT_SUCCEEDED = 0,
    K4A_BUFFER_RESULT_FAILED = 1,
    K4A_BUFFER_RESULT_TOO_SMALL = 2
} k4a_buffer_result_t;

typedef enum
{
    K4A_WAIT_RESULT_SUCCEEDED = 0,
    K4A_WAIT_RESULT_FAILED = 1,
    K4A_WAIT_RESULT_TIMEOUT = 2
} k4a_wait_result_t;

#define K4A_SUCCEEDED(result) ((result) == K4A_RESULT_SUCCEEDED)
#define K4A_FAILED(result) (!K4A_SUCCEEDED(result))

/* Timeout value for the blocking k4a_device_get_* calls meaning "wait forever". */
#define K4A_WAIT_INFINITE (-1)

/* ---- Enumerations ---------------------------------------------------------------------------------------------- */

typedef enum
{
    K4A_IMAGE_FORMAT_COLOR_MJPG = 0,
    K4A_IMAGE_FORMAT_COLOR_NV12 = 1,
    K4A_IMAGE_FORMAT_COLOR_YUY2 = 2,
    K4A_IMAGE_FORMAT_COLOR_BGRA32 = 3,
    K4A_IMAGE_FORMAT_DEPTH16 = 4,
    K4A_IMAGE_FORMAT_IR16 = 5,
    K4A_IMAGE_FORMAT_CUSTOM8 = 6,
    K4A_IMAGE_FORMAT_CUSTOM16 = 7,
    K4A_IMAGE_FORMAT_CUSTOM = 8
} k4a_image_format_t;

typedef enum
{
    K4A_COLOR_RESOLUTION_OFF = 0,
    K4A_COLOR_RESOLUTION_720P = 1,  /* 1280x720  */
    K4A_COLOR_RESOLUTION_1080P = 2, /* 1920x1080 */
    K4A_COLOR_RESOLUTION_1440P = 3, /* 2560x1440 */
    K4A_COLOR_RESOLUTION_1536P = 4, /* 2048x1536 */
    K4A_COLOR_RESOLUTION_2160P = 5, /* 3840x2160 */
    K4A_COLOR_RESOLUTION_3072P = 6  /* 4096x3072 */
} k4a_color_resolution_t;

typedef enum
{
    K4A_DEPTH_MODE_OFF = 0,
    K4A_DEPTH_MODE_NFOV_2X2BINNED = 1, /* 320x288   */
    K4A_DEPTH_MODE_NFOV_UNBINNED = 2,  /* 640x576   */
    K4A_DEPTH_MODE_WFOV_2X2BINNED = 3, /* 512x512   */
    K4A_DEPTH_MODE_WFOV_UNBINNED = 4,  /* 1024x1024 */
    K4A_DEPTH_MODE_PASSIVE_IR = 5      /* 1024x1024, IR only */
} k4a_depth_mode_t;

typedef enum
{
    K4A_FRAMES_PER_SECOND_5 = 0,
    K4A_FRAMES_PER_SECOND_15 = 1,
    K4A_FRAMES_PER_SECOND_30 = 2
} k4a_fps_t;

typedef enum
{
    K4A_WIRED_SYNC_MODE_STANDALONE = 0,
    K4A_WIRED_SYNC_MODE_MASTER = 1,
    K4A_WIRED_SYNC_MODE_SUBORDINATE = 2
} k4a_wired_sync_mode_t;

typedef enum
{
    K4A_COLOR_CONTROL_EXPOSURE_TIME_ABSOLUTE = 0,
    K4A_COLOR_CONTROL_AUTO_EXPOSURE_PRIORITY = 1, /* deprecated by the SDK, kept for the numbering */
    K4A_COLOR_CONTROL_BRIGHTNESS = 2,
    K4A_COLOR_CONTROL_CONTRAST = 3,
    K4A_COLOR_CONTROL_SATURATION = 4,
    K4A_COLOR_CONTROL_SHARPNESS = 5,
    K4A_COLOR_CONTROL_WHITEBALANCE = 6,
    K4A_COLOR_CONTROL_BACKLIGHT_COMPENSATION = 7,
    K4A_COLOR_CONTROL_GAIN = 8,
    K4A_COLOR_CONTROL_POWERLINE_FREQUENCY = 9
} k4a_color_control_command_t;

typedef enum
{
    K4A_COLOR_CONTROL_MODE_AUTO = 0,
    K4A_COLOR_CONTROL_MODE_MANUAL = 1
} k4a_color_control_mode_t;

typedef enum
{
    K4A_FIRMWARE_BUILD_RELEASE = 0,
    K4A_FIRMWARE_BUILD_DEBUG = 1
} k4a_firmware_build_t;

typedef enum
{
    K4A_FIRMWARE_SIGNATURE_MSFT = 0,
    K4A_FIRMWARE_SIGNATURE_TEST = 1,
    K4A_FIRMWARE_SIGNATURE_UNSIGNED = 2
} k4a_firmware_signature_t;

/* ---- Structures ------------------------------------------------------------------------------------------------ */

/* Field order and types are the SDK's: this struct is passed by value to k4a_record_create. */
typedef struct _k4a_device_configuration_t
{
    k4a_image_format_t color_format;
    k4a_color_resolution_t color_resolution;
    k4a_depth_mode_t depth_mode;
    k4a_fps_t camera_fps;
    bool synchronized_images_only;
    int32_t depth_delay_off_color_usec;
    k4a_wired_sync_mode_t wired_sync_mode;
    uint32_t subordinate_delay_off_master_usec;
    bool disable_streaming_indicator;
} k4a_device_configuration_t;

/* Same initial values as the SDK's K4A_DEVICE_CONFIG_INIT_DISABLE_ALL. */
#define K4A_DEVICE_CONFIG_INIT_DISABLE_ALL                                                                             \
    {                                                                                                                  \
        K4A_IMAGE_FORMAT_COLOR_MJPG, K4A_COLOR_RESOLUTION_OFF, K4A_DEPTH_MODE_OFF, K4A_FRAMES_PER_SECOND_30, false, 0,  \
            K4A_WIRED_SYNC_MODE_STANDALONE, 0, false                                                                   \
    }

typedef union
{
    struct
    {
        float x;
        float y;
        float z;
    } xyz;
    float v[3];
} k4a_float3_t;

typedef struct _k4a_imu_sample_t
{
    float temperature;            /* degrees Celsius; not stored in recordings */
    k4a_float3_t acc_sample;      /* m/s^2 */
    uint64_t acc_timestamp_usec;  /* device time */
    k4a_float3_t gyro_sample;     /* rad/s */
    uint64_t gyro_timestamp_usec; /* device time */
} k4a_imu_sample_t;

typedef struct _k4a_version_t
{
    uint32_t major;
    uint32_t minor;
    uint32_t iteration;
} k4a_version_t;

typedef struct _k4a_hardware_version_t
{
    k4a_version_t rgb;
    k4a_version_t depth;
    k4a_version_t audio;
    k4a_version_t depth_sensor;
    k4a_firmware_build_t firmware_build;
    k4a_firmware_signature_t firmware_signature;
} k4a_hardware_version_t;

typedef struct _k4a_record_video_settings_t
{
    uint64_t width;
    uint64_t height;
    uint64_t frame_rate;
} k4a_record_video_settings_t;

typedef struct _k4a_record_subtitle_settings_t
{
    /* true: samples of this track are laced into BlockGroups like the IMU track (for data at > frame rate). */
    bool high_freq_data;
} k4a_record_subtitle_settings_t;

/* Called when the last reference to an image created with k4a_image_create_from_buffer is released. */
typedef void(k4a_memory_destroy_cb_t)(void *buffer, void *context);

/* ---- Device (libk4a) ------------------------------------------------------------------------------------------- */

K4A_API_EXPORT uint32_t k4a_device_get_installed_count(void);
K4A_API_EXPORT k4a_result_t k4a_device_open(uint32_t index, k4a_device_t *device_handle);
K4A_API_EXPORT void k4a_device_close(k4a_device_t device_handle);
K4A_API_EXPORT k4a_buffer_result_t k4a_device_get_serialnum(k4a_device_t device_handle,
                                                           char *serial_number,
                                                           size_t *serial_number_size);
K4A_API_EXPORT k4a_result_t k4a_device_get_version(k4a_device_t device_handle, k4a_hardware_version_t *version);
K4A_API_EXPORT k4a_result_t k4a_device_get_sync_jack(k4a_device_t device_handle,
                                                    bool *sync_in_jack_connected,
                                                    bool *sync_out_jack_connected);
K4A_API_EXPORT k4a_result_t k4a_device_set_color_control(k4a_device_t device_handle,
                                                        k4a_color_control_command_t command,
                                                        k4a_color_control_mode_t mode,
                                                        int32_t value);
K4A_API_EXPORT k4a_result_t k4a_device_start_cameras(k4a_device_t device_handle,
                                                    const k4a_device_configuration_t *config);
K4A_API_EXPORT void k4a_device_stop_cameras(k4a_device_t device_handle);
K4A_API_EXPORT k4a_result_t k4a_device_start_imu(k4a_device_t device_handle);
K4A_API_EXPORT void k4a_device_stop_imu(k4a_device_t device_handle);
K4A_API_EXPORT k4a_wait_result_t k4a_device_get_capture(k4a_device_t device_handle,
                                                       k4a_capture_t *capture_handle,
                                                       int32_t timeout_in_ms);
K4A_API_EXPORT k4a_wait_result_t k4a_device_get_imu_sample(k4a_device_t device_handle,
                                                          k4a_imu_sample_t *imu_sample,
                                                          int32_t timeout_in_ms);
K4A_API_EXPORT k4a_buffer_result_t k4a_device_get_raw_calibration(k4a_device_t device_handle,
                                                                 uint8_t *data,
                                                                 size_t *data_size);

/* ---- Captures (libk4a) ----------------------------------------------------------------------------------------- */

K4A_API_EXPORT k4a_result_t k4a_capture_create(k4a_capture_t *capture_handle);
K4A_API_EXPORT void k4a_capture_release(k4a_capture_t capture_handle);
K4A_API_EXPORT void k4a_capture_reference(k4a_capture_t capture_handle);
/* The getters add a reference the caller must release; the setters add their own and drop the image they replace. */
K4A_API_EXPORT k4a_image_t k4a_capture_get_color_image(k4a_capture_t capture_handle);
K4A_API_EXPORT k4a_image_t k4a_capture_get_depth_image(k4a_capture_t capture_handle);
K4A_API_EXPORT k4a_image_t k4a_capture_get_ir_image(k4a_capture_t capture_handle);
K4A_API_EXPORT void k4a_capture_set_color_image(k4a_capture_t capture_handle, k4a_image_t image_handle);
K4A_API_EXPORT void k4a_capture_set_depth_image(k4a_capture_t capture_handle, k4a_image_t image_handle);
K4A_API_EXPORT void k4a_capture_set_ir_image(k4a_capture_t capture_handle, k4a_image_t image_handle);

/* ---- Images (libk4a) ------------------------------------------------------------------------------------------- */

K4A_API_EXPORT k4a_result_t k4a_image_create(k4a_image_format_t format,
                                            int width_pixels,
                                            int height_pixels,
                                            int stride_bytes,
                                            k4a_image_t *image_handle);
K4A_API_EXPORT k4a_result_t k4a_image_create_from_buffer(k4a_image_format_t format,
                                                        int width_pixels,
                                                        int height_pixels,
                                                        int stride_bytes,
                                                        uint8_t *buffer,
                                                        size_t buffer_size,
                                                        k4a_memory_destroy_cb_t *buffer_release_cb,
                                                        void *buffer_release_cb_context,
                                                        k4a_image_t *image_handle);
K4A_API_EXPORT void k4a_image_release(k4a_image_t image_handle);
K4A_API_EXPORT void k4a_image_reference(k4a_image_t image_handle);
K4A_API_EXPORT uint8_t *k4a_image_get_buffer(k4a_image_t image_handle);
K4A_API_EXPORT size_t k4a_image_get_size(k4a_image_t image_handle);
K4A_API_EXPORT k4a_image_format_t k4a_image_get_format(k4a_image_t image_handle);
K4A_API_EXPORT int k4a_image_get_width_pixels(k4a_image_t image_handle);
K4A_API_EXPORT int k4a_image_get_height_pixels(k4a_image_t image_handle);
K4A_API_EXPORT int k4a_image_get_stride_bytes(k4a_image_t image_handle);
K4A_API_EXPORT uint64_t k4a_image_get_device_timestamp_usec(k4a_image_t image_handle);
K4A_API_EXPORT void k4a_image_set_device_timestamp_usec(k4a_image_t image_handle, uint64_t timestamp_usec);
K4A_API_EXPORT uint64_t k4a_image_get_system_timestamp_nsec(k4a_image_t image_handle);
K4A_API_EXPORT void k4a_image_set_system_timestamp_nsec(k4a_image_t image_handle, uint64_t timestamp_nsec);

/* ---- Recording (libk4arecord) ---------------------------------------------------------------------------------- */

/* device may be NULL: the recording then has no firmware, serial-number or calibration tags and no attachment. */
K4A_API_EXPORT k4a_result_t k4a_record_create(const char *path,
                                             k4a_device_t device,
                                             const k4a_device_configuration_t device_config,
                                             k4a_record_t *recording_handle);
K4A_API_EXPORT k4a_result_t k4a_record_add_tag(k4a_record_t recording_handle, const char *name, const char *value);
K4A_API_EXPORT k4a_result_t k4a_record_add_imu_track(k4a_record_t recording_handle);
K4A_API_EXPORT k4a_result_t k4a_record_add_attachment(const k4a_record_t recording_handle,
                                                     const char *attachment_name,
                                                     const uint8_t *buffer,
                                                     size_t buffer_size);
K4A_API_EXPORT k4a_result_t k4a_record_add_custom_video_track(const k4a_record_t recording_handle,
                                                             const char *track_name,
                                                             const char *codec_id,
                                                             const uint8_t *codec_context,
                                                             size_t codec_context_size,
                                                             const k4a_record_video_settings_t *track_settings);
K4A_API_EXPORT k4a_result_t k4a_record_add_custom_subtitle_track(const k4a_record_t recording_handle,
                                                                const char *track_name,
                                                                const char *codec_id,
                                                                const uint8_t *codec_context,
                                                                size_t codec_context_size,
                                                                const k4a_record_subtitle_settings_t *track_settings);
K4A_API_EXPORT k4a_result_t k4a_record_write_header(k4a_record_t recording_handle);
K4A_API_EXPORT k4a_result_t k4a_record_write_capture(k4a_record_t recording_handle, k4a_capture_t capture_handle);
K4A_API_EXPORT k4a_result_t k4a_record_write_imu_sample(k4a_record_t recording_handle, k4a_imu_sample_t imu_sample);
K4A_API_EXPORT k4a_result_t k4a_record_write_custom_track_data(const k4a_record_t recording_handle,
                                                              const char *track_name,
                                                              uint64_t device_timestamp_usec,
                                                              uint8_t *custom_data,
                                                              size_t custom_data_size);
K4A_API_EXPORT k4a_result_t k4a_record_flush(k4a_record_t recording_handle);
K4A_API_EXPORT void k4a_record_close(k4a_record_t recording_handle);

/* ---- Function lists for the runtime loader ---------------------------------------------------------------------
 * X(name) once per function. A loader declares `decltype(&name) name;` per entry and fills it with dlsym. The real
 * SDK ships the two groups in different libraries (libk4a and libk4arecord); native/sim exports both. */

#define K4A_API_DEVICE_FUNCTIONS(X)                                                                                    \
    X(k4a_device_get_installed_count)                                                                                  \
    X(k4a_device_open)                                                                                                 \
    X(k4a_device_close)                                                                                                \
    X(k4a_device_get_serialnum)                                                                                        \
    X(k4a_device_get_version)                                                                                          \
    X(k4a_device_get_sync_jack)                                                                                        \
    X(k4a_device_set_color_control)                                                                                    \
    X(k4a_device_start_cameras)                                                                                        \
    X(k4a_device_stop_cameras)                                                                                         \
    X(k4a_device_start_imu)                                                                                            \
    X(k4a_device_stop_imu)                                                                                             \
    X(k4a_device_get_capture)                                                                                          \
    X(k4a_device_get_imu_sample)                                                                                       \
    X(k4a_device_get_raw_calibration)                                                                                  \
    X(k4a_capture_create)                                                                                              \
    X(k4a_capture_release)                                                                                             \
    X(k4a_capture_reference)                                                                                           \
    X(k4a_capture_get_color_image)                                                                                     \
    X(k4a_capture_get_depth_image)                                                                                     \
    X(k4a_capture_get_ir_image)                                                                                        \
    X(k4a_capture_set_color_image)                                                                                     \
    X(k4a_capture_set_depth_image)                                                                                     \
    X(k4a_capture_set_ir_image)                                                                                        \
    X(k4a_image_create)                                                                                                \
    X(k4a_image_create_from_buffer)                                                                                    \
    X(k4a_image_release)                                                                                               \
    X(k4a_image_reference)                                                                                             \
    X(k4a_image_get_buffer)                                                                                            \
    X(k4a_image_get_size)                                                                                              \
    X(k4a_image_get_format)                                                                                            \
    X(k4a_image_get_width_pixels)                                                                                      \
    X(k4a_image_get_height_pixels)                                                                                     \
    X(k4a_image_get_stride_bytes)                                                                                      \
    X(k4a_image_get_device_timestamp_usec)                                                                             \
    X(k4a_image_set_device_timestamp_usec)                                                                             \
    X(k4a_image_get_system_timestamp_nsec)                                                                             \
    X(k4a_image_set_system_timestamp_nsec)

#define K4A_API_RECORD_FUNCTIONS(X)                                                                                    \
    X(k4a_record_create)                                                                                               \
    X(k4a_record_add_tag)                                                                                              \
    X(k4a_record_add_imu_track)                                                                                        \
    X(k4a_record_add_attachment)                                                                                       \
    X(k4a_record_add_custom_video_track)                                                                               \
    X(k4a_record_add_custom_subtitle_track)                                                                            \
    X(k4a_record_write_header)                                                                                         \
    X(k4a_record_write_capture)                                                                                        \
    X(k4a_record_write_imu_sample)                                                                                     \
    X(k4a_record_write_custom_track_data)                                                                              \
    X(k4a_record_flush)                                                                                                \
    X(k4a_record_close)

#define K4A_API_FUNCTIONS(X)                                                                                           \
    K4A_API_DEVICE_FUNCTIONS(X)                                                                                        \
    K4A_API_RECORD_FUNCTIONS(X)

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* K4SYNC_K4A_API_H */
