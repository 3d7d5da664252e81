// Reorder buffer between the write calls and the file, with k4arecord's timing rules.
//
// Sensors, the IMU and custom tracks deliver data slightly out of order, so nothing goes to disk at once. Each item
// joins a pending cluster: a half-open 32 ms window of absolute device time. Windows lie on a grid that starts at
// device time 0 and continues from the end of the last window written; a flush re-phases the grid to start just after
// the newest item flushed. A window is released for writing once the newest timestamp seen is more than 2 s past its
// end, which is the out-of-order tolerance the official writer's background thread gives. Anything older than what
// has been released is refused, as k4arecord refuses it ("already been written to disk").
//
// The official writer releases windows from a thread, so whether a late item makes it depends on scheduling; here the
// release happens inside the write call, which makes the outcome deterministic but keeps the same rule.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

namespace k4sync::mkv {

struct QueuedFrame
{
    uint64_t timestamp_ns = 0;
    uint32_t track_number = 0;
    std::vector<uint8_t> data;
};

struct PendingCluster
{
    uint64_t start_ns = 0; // grid window [start_ns, end_ns)
    uint64_t end_ns = 0;
    std::vector<QueuedFrame> frames; // arrival order; sorted when written
};

class ClusterQueue
{
public:
    static constexpr uint64_t kClusterLengthNs = 32'000'000;   // MAX_CLUSTER_LENGTH_NS
    static constexpr uint64_t kWriteDelayNs = 2'000'000'000;   // CLUSTER_WRITE_DELAY_NS

    enum class AddResult
    {
        kQueued,
        kTooOld,     // older than data already released to disk
        kOutOfRange, // so close to 2^64 ns that the window arithmetic would wrap
    };

    // Every call counts towards the newest timestamp, even a refused one (as in k4arecord).
    AddResult add(QueuedFrame &&frame);

    // Removes the oldest window if it has left the reorder window. Call repeatedly until it returns false.
    bool pop_ready(PendingCluster *out);

    // Removes every pending window, oldest first, for a flush; afterwards only data newer than the newest flushed
    // item is accepted.
    std::vector<PendingCluster> take_all_for_flush();

    uint64_t most_recent_ns() const noexcept { return most_recent_ns_; }
    uint64_t accepted_from_ns() const noexcept { return last_written_ns_; }
    bool empty() const noexcept { return pending_.empty(); }

private:
    std::deque<PendingCluster> pending_; // ordered by start_ns, windows never overlap
    uint64_t last_written_ns_ = 0;
    uint64_t most_recent_ns_ = 0;
};

} // namespace k4sync::mkv
