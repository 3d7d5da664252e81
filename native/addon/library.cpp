#include "library.h"

#if defined(_WIN32)
#include "win32_text.h"
#else
#include <dlfcn.h>
#endif

#include <cstdlib>
#include <filesystem>

namespace k4sync {
namespace {

#if defined(_WIN32)

using Library = HMODULE;

// A path with a folder in it is loaded with that folder first in the search for its own dependencies
// (LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR: k4a.dll finds depthengine_2_0.dll beside it, wherever the SDK is installed),
// then the application's folder and System32; that flag needs an absolute path with backslashes. A bare name
// ("k4a.dll") is searched for the usual way, PATH included.
Library open_library(const std::string &path, std::string &error)
{
    std::filesystem::path file(win32::utf8_to_wide(path));
    const bool bare = !file.has_parent_path();
    if (!bare)
        file = std::filesystem::absolute(file).make_preferred();
    HMODULE handle = LoadLibraryExW(file.c_str(), nullptr, bare ? 0 : LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS);
    if (!handle)
        error = "cannot load " + path + ": " + win32::error_text(GetLastError());
    return handle;
}

template <typename F> bool resolve(Library handle, const char *name, F &out, std::string &missing)
{
    FARPROC symbol = GetProcAddress(handle, name);
    if (!symbol)
    {
        missing += missing.empty() ? name : std::string(", ") + name;
        return false;
    }
    // Through void (*)(), the one function-pointer type every compiler lets stand for any other.
    out = reinterpret_cast<F>(reinterpret_cast<void (*)()>(symbol));
    return true;
}

// The SDK reads its log variables with getenv from its own C runtime, which keeps its own copy of the environment:
// set ours, the Universal CRT's (which node.exe and an MSVC-built k4a.dll share), and the process environment (read by
// a runtime that starts later, and by the simulated rig). _putenv_s also sets the process environment, reading the
// bytes in the ANSI code page: the UTF-16 call comes last, so that a path with any character in it survives there.
void set_env(const char *name, const std::string &value)
{
    _putenv_s(name, value.c_str());
    if (HMODULE ucrt = GetModuleHandleW(L"ucrtbase.dll"))
    {
        using PutenvS = int (*)(const char *, const char *);
        if (FARPROC put = GetProcAddress(ucrt, "_putenv_s"))
            reinterpret_cast<PutenvS>(reinterpret_cast<void (*)()>(put))(name, value.c_str());
    }
    SetEnvironmentVariableW(win32::utf8_to_wide(name).c_str(), win32::utf8_to_wide(value).c_str());
}

#else

using Library = void *;

Library open_library(const std::string &path, std::string &error)
{
    void *handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle)
    {
        const char *why = dlerror();
        error = "cannot load " + path + (why ? std::string(": ") + why : std::string());
    }
    return handle;
}

template <typename F> bool resolve(Library handle, const char *name, F &out, std::string &missing)
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
    setenv(name, value.c_str(), 1);
}

#endif

} // namespace

std::string sdk_record_log_path(const std::string &log_file)
{
    // By bytes rather than std::filesystem::path, which reads a narrow string in the ANSI code page on Windows: ours
    // are UTF-8.
#if defined(_WIN32)
    const size_t slash = log_file.find_last_of("/\\");
#else
    const size_t slash = log_file.find_last_of('/');
#endif
    return (slash == std::string::npos ? std::string() : log_file.substr(0, slash + 1)) + "k4arecord.log";
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
    Library device = open_library(device_library, error);
    if (!device)
        return error;
    Library record = record_library.empty() || record_library == device_library ? device : open_library(record_library, error);
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
