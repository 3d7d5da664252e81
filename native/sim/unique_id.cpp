#include "unique_id.h"

#include <mutex>
#include <random>
#include <unordered_set>

namespace k4sync::mkv {

uint64_t new_unique_id()
{
    static std::mutex lock;
    static std::unordered_set<uint64_t> issued;
    static std::mt19937_64 engine{std::random_device{}()};

    std::lock_guard<std::mutex> guard(lock);
    constexpr uint64_t kMask = (uint64_t{1} << 60) - 1;
    for (;;)
    {
        const uint64_t id = engine() & kMask;
        if (id != 0 && issued.insert(id).second)
            return id;
    }
}

} // namespace k4sync::mkv
