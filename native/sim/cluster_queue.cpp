#include "cluster_queue.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace k4sync::mkv {

ClusterQueue::AddResult ClusterQueue::add(QueuedFrame &&frame)
{
    const uint64_t ts = frame.timestamp_ns;
    if (ts > UINT64_MAX - 2 * kClusterLengthNs)
        return AddResult::kOutOfRange;
    most_recent_ns_ = std::max(most_recent_ns_, ts);
    if (ts < last_written_ns_)
        return AddResult::kTooOld;

    // Windows that start at or before ts come first; the last of them is the only one that can contain ts.
    size_t before = pending_.size();
    while (before > 0 && pending_[before - 1].start_ns > ts)
        before--;
    if (before > 0 && ts < pending_[before - 1].end_ns)
    {
        pending_[before - 1].frames.push_back(std::move(frame));
        return AddResult::kQueued;
    }

    // New window on the grid that continues from the window before it (or from the last released point).
    // Every window derives from the same chain of 32 ms steps, so the new one cannot overlap its neighbours.
    uint64_t start = before > 0 ? pending_[before - 1].end_ns : last_written_ns_;
    if (ts - start >= kClusterLengthNs)
        start += (ts - start) - (ts - start) % kClusterLengthNs;
    PendingCluster cluster;
    cluster.start_ns = start;
    cluster.end_ns = start + kClusterLengthNs;
    cluster.frames.push_back(std::move(frame));
    pending_.insert(pending_.begin() + static_cast<std::ptrdiff_t>(before), std::move(cluster));
    return AddResult::kQueued;
}

bool ClusterQueue::pop_ready(PendingCluster *out)
{
    if (pending_.empty())
        return false;
    const PendingCluster &oldest = pending_.front();
    if (most_recent_ns_ < oldest.end_ns || most_recent_ns_ - oldest.end_ns <= kWriteDelayNs)
        return false;
    last_written_ns_ = oldest.end_ns;
    *out = std::move(pending_.front());
    pending_.pop_front();
    return true;
}

std::vector<PendingCluster> ClusterQueue::take_all_for_flush()
{
    std::vector<PendingCluster> all;
    all.reserve(pending_.size());
    for (auto &cluster : pending_)
        all.push_back(std::move(cluster));
    pending_.clear();
    if (!all.empty())
    {
        // k4arecord sets the accepted-from point to "last item of the last flushed window + 1 ns", which re-phases
        // the 32 ms grid.
        uint64_t newest = 0;
        for (const auto &frame : all.back().frames)
            newest = std::max(newest, frame.timestamp_ns);
        last_written_ns_ = newest + 1;
    }
    return all;
}

} // namespace k4sync::mkv
