/* Compiled as C99 to prove k4a_api.h is a C header, and to pin the layout of the structs that cross the ABI by
 * value. The sizes are those of the SDK's own structs on LP64/LLP64 targets (enums are 4 bytes, bool 1). */
#include "k4a_api.h"

#include <stddef.h>

#define K4S_STATIC_ASSERT(cond, name) typedef char k4s_static_assert_##name[(cond) ? 1 : -1]

K4S_STATIC_ASSERT(sizeof(k4a_device_configuration_t) == 36, device_configuration_size);
K4S_STATIC_ASSERT(offsetof(k4a_device_configuration_t, synchronized_images_only) == 16, sync_only_offset);
K4S_STATIC_ASSERT(offsetof(k4a_device_configuration_t, depth_delay_off_color_usec) == 20, depth_delay_offset);
K4S_STATIC_ASSERT(offsetof(k4a_device_configuration_t, subordinate_delay_off_master_usec) == 28, sub_delay_offset);
K4S_STATIC_ASSERT(offsetof(k4a_device_configuration_t, disable_streaming_indicator) == 32, indicator_offset);
K4S_STATIC_ASSERT(sizeof(k4a_imu_sample_t) == 48, imu_sample_size);
K4S_STATIC_ASSERT(offsetof(k4a_imu_sample_t, acc_timestamp_usec) == 16, acc_ts_offset);
K4S_STATIC_ASSERT(offsetof(k4a_imu_sample_t, gyro_sample) == 24, gyro_offset);
K4S_STATIC_ASSERT(offsetof(k4a_imu_sample_t, gyro_timestamp_usec) == 40, gyro_ts_offset);
K4S_STATIC_ASSERT(sizeof(k4a_hardware_version_t) == 56, hardware_version_size);
K4S_STATIC_ASSERT(sizeof(k4a_record_video_settings_t) == 24, video_settings_size);
K4S_STATIC_ASSERT(sizeof(k4a_record_subtitle_settings_t) == 1, subtitle_settings_size);

/* Every listed name must be a declared function: taking its address fails to compile otherwise. */
typedef void (*k4s_any_function)(void);
#define K4S_TAKE_ADDRESS(name) (k4s_any_function) & name,
static const k4s_any_function k4s_all_functions[] = { K4A_API_FUNCTIONS(K4S_TAKE_ADDRESS) 0 };

const k4s_any_function *k4s_api_function_table(void);
const k4s_any_function *k4s_api_function_table(void)
{
    k4a_device_configuration_t config = K4A_DEVICE_CONFIG_INIT_DISABLE_ALL;
    (void)config;
    return k4s_all_functions;
}
