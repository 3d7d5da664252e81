// How k4a_record_create reaches the device it is given.
//
// With a device handle, k4a_record_create reads firmware versions, the serial number and the raw calibration through
// k4a_device_get_version / _get_serialnum / _get_raw_calibration. This library does not link against any
// implementation of those (the simulated rig has one, the real libk4a another, the Node addon may load either at run
// time), so whoever implements them registers them here first. With no registration, a non-NULL device makes
// k4a_record_create fail, as a real SDK given an unusable device would; a NULL device never needs it.
#pragma once

#include "k4a_api.h"

namespace k4sync {

struct RecordDeviceQuery
{
    k4a_result_t (*get_version)(k4a_device_t device, k4a_hardware_version_t *version);
    k4a_buffer_result_t (*get_serialnum)(k4a_device_t device, char *serial_number, size_t *serial_number_size);
    k4a_buffer_result_t (*get_raw_calibration)(k4a_device_t device, uint8_t *data, size_t *data_size);
};

// Pass nullptr to unregister. The table must outlive every k4a_record_create call that can see it.
void set_record_device_query(const RecordDeviceQuery *query) noexcept;
const RecordDeviceQuery *record_device_query() noexcept;

} // namespace k4sync
