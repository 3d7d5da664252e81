#include "record_device_query.h"

#include <atomic>

namespace k4sync {
namespace {

std::atomic<const RecordDeviceQuery *> g_query{nullptr};

} // namespace

void set_record_device_query(const RecordDeviceQuery *query) noexcept
{
    g_query.store(query, std::memory_order_release);
}

const RecordDeviceQuery *record_device_query() noexcept
{
    return g_query.load(std::memory_order_acquire);
}

} // namespace k4sync
