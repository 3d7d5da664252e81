// Controls of the simulated rig that the real SDK does not have. The Node addon finds them with dlsym, so their
// presence is also how k4sync tells a simulated rig from real sensors.
#pragma once

#include "k4a_api.h"

#ifdef __cplusplus
extern "C" {
#endif

// Loads a rig (the flat text form written by k4sync from a validated rig.json) and forgets any previous one.
// Returns 0, or 1 with a sentence in error (truncated to error_size).
K4A_API_EXPORT int k4sim_configure(const char *rig_text, char *error, size_t error_size);
// The crew's switch on the external generator; it starts pulsing at the current virtual host time.
K4A_API_EXPORT void k4sim_set_generator(int on);
// What every sensor really did, as JSON. Buffer protocol as k4a_device_get_serialnum (size includes the NUL).
K4A_API_EXPORT k4a_buffer_result_t k4sim_truth_json(char *buffer, size_t *buffer_size);
// Why the last k4a_device_* call of this thread failed, as the SDK would have logged it ("" if it did not).
K4A_API_EXPORT const char *k4sim_last_error(void);

#ifdef __cplusplus
}
#endif
