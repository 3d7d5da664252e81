#include "library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>

namespace k4sync {
namespace {

void *open_library(const std::string &path, std::string &error)
{
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
    {
        const char *why = dlerror();
        error = "cannot load " + path + (why ? std::string(": ") + why : std::string());
    }
    return handle;
}

template <typename F> bool resolve(void *handle, const char *name, F &out, std::string &missing)
{
    dlerror();
    void *symbol = dlsym(handle, name);
    if (!symbol)
    {
        missing += missing.empty() ? name : std::string(", ") + name;
        return false;
    }
    out = reinterpret_cast<F>(symbol);
    return true;
}

void set_env(const char *name, const std::string &value)
{
#if defined(_WIN32)
    _putenv_s(name, value.c_str());
#else
    setenv(name, value.c_str(), 1);
#endif
}

} // namespace

std::string sdk_record_log_path(const std::string &log_file)
{
    return (std::filesystem::path(log_file).parent_path() / "k4arecord.log").string();
}

void route_sdk_log(const std::string &log_file)
{
    set_env("K4A_ENABLE_LOG_TO_STDOUT", "0");
    if (std::getenv("K4A_LOG_LEVEL") == nullptr)
        set_env("K4A_LOG_LEVEL", "w");
    // What the user set before k4sync touched anything applies to sessions without a log file, never a previous
    // take's file.
    static const std::string user_device_log = [] {
        const char *v = std::getenv("K4A_ENABLE_LOG_TO_A_FILE");
        return std::string(v ? v : "0");
    }();
    static const std::string user_record_log = [] {
        const char *v = std::getenv("K4A_RECORD_ENABLE_LOG_TO_A_FILE");
        return std::string(v ? v : "0");
    }();
    set_env("K4A_ENABLE_LOG_TO_A_FILE", log_file.empty() ? user_device_log : log_file);
    set_env("K4A_RECORD_ENABLE_LOG_TO_A_FILE", log_file.empty() ? user_record_log : sdk_record_log_path(log_file));
}

std::string load_k4a_api(const std::string &device_library, const std::string &record_library, K4aApi &api)
{
    std::string error;
    void *device = open_library(device_library, error);
    if (!device)
        return error;
    void *record = record_library.empty() || record_library == device_library ? device : open_library(record_library, error);
    if (!record)
        return error;
    K4aApi loaded;
    std::string missing;
#define K4SYNC_RESOLVE_DEVICE(name) resolve(device, #name, loaded.name, missing);
#define K4SYNC_RESOLVE_RECORD(name) resolve(record, #name, loaded.name, missing);
    K4A_API_DEVICE_FUNCTIONS(K4SYNC_RESOLVE_DEVICE)
    K4A_API_RECORD_FUNCTIONS(K4SYNC_RESOLVE_RECORD)
#undef K4SYNC_RESOLVE_DEVICE
#undef K4SYNC_RESOLVE_RECORD
    if (!missing.empty())
        return device_library + " is not an Azure Kinect SDK 1.4 library: it lacks " + missing;
    std::string optional;
    resolve(device, "k4sim_configure", loaded.k4sim_configure, optional);
    resolve(device, "k4sim_set_generator", loaded.k4sim_set_generator, optional);
    resolve(device, "k4sim_truth_json", loaded.k4sim_truth_json, optional);
    resolve(device, "k4sim_last_error", loaded.k4sim_last_error, optional);
    api = loaded;
    return {};
}

} // namespace k4sync
