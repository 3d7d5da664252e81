#include "library.h"

#include <dlfcn.h>

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

} // namespace

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
