// Matroska UIDs (TrackUID, FileUID) for new tracks and attachments.
#pragma once

#include <cstdint>

namespace k4sync::mkv {

// Random, non-zero, 60 bits (as k4arecord makes them: tags print them in decimal, and 60 bits keep that short), and
// never repeated within this process, so several recordings written side by side never share a UID.
uint64_t new_unique_id();

} // namespace k4sync::mkv
