// The Azure Kinect C API resolved at run time from a shared library: the real SDK (libk4a + libk4arecord), the
// Orbbec K4A wrapper (same names), or native/sim. Capture code calls through this table only, so it cannot tell
// real sensors from simulated ones.
#pragma once

#include "k4a_api.h"

#include <string>

namespace k4sync {

struct K4aApi
{
#define K4SYNC_DECLARE(name) decltype(&::name) name = nullptr;
    K4A_API_FUNCTIONS(K4SYNC_DECLARE)
#undef K4SYNC_DECLARE

    // Present only in native/sim.
    int (*k4sim_configure)(const char *, char *, size_t) = nullptr;
    void (*k4sim_set_generator)(int) = nullptr;
    k4a_buffer_result_t (*k4sim_truth_json)(char *, size_t *) = nullptr;
    const char *(*k4sim_last_error)() = nullptr;

    bool simulated() const { return k4sim_configure != nullptr; }
};

// Routes the SDK's logging away from stdout, which belongs to k4sync, through the SDK's own variables
// (K4A_ENABLE_LOG_TO_STDOUT=0, K4A_LOG_LEVEL=w unless set). With a log file, the device library logs there
// (K4A_ENABLE_LOG_TO_A_FILE) and the recording library to sdk_record_log_path(log_file)
// (K4A_RECORD_ENABLE_LOG_TO_A_FILE). The SDK reads them when its first handle is created: call before that, from
// the JavaScript thread, while no capture thread runs.
void route_sdk_log(const std::string &log_file);
// k4arecord.log beside log_file: the two libraries' loggers cannot share one file.
std::string sdk_record_log_path(const std::string &log_file);

// Loads the device API from device_library and the record API from record_library (the same file when empty).
// Returns "" and fills api, or says what is missing. Libraries stay loaded for the life of the process: capture
// threads may still be inside them when JavaScript lets go.
std::string load_k4a_api(const std::string &device_library, const std::string &record_library, K4aApi &api);

} // namespace k4sync
