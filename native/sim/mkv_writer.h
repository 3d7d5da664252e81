// A Matroska writer that lays files out the way Microsoft's k4arecord (libmatroska 1.4.9 / libebml 1.3.6) does, so
// that every tool that reads Azure Kinect recordings reads ours. See spec §1 for the layout; in short:
//
//   EBML header | Segment (8-byte size field, 0 until the first flush)
//     Void 1024 (SeekHead written into it at flush) | Void 256 (Info written into it at flush)
//     Tracks | Attachments (only if any) | Tags (CRC-32 first) | Void 1024 | Cluster ... | Cues (at flush)
//
// It knows nothing about Azure Kinect images or IMU samples: record.cpp turns those into tracks, tags and frames.
//
// Flush and crash safety. flush() writes every pending cluster, then the Cues, makes them durable, and only then
// rewrites Info (with Duration), Tags (with K4A_START_OFFSET_NS), SeekHead and the Segment size in place and syncs
// again, so a process killed at any point after a flush leaves a file that is complete up to that flush. New
// clusters go where those Cues are, as in k4arecord; before overwriting them the writer first rewrites the SeekHead
// without its Cues entry and shrinks the Segment size to the clusters already flushed (and syncs), so a file killed
// later is still the flushed file followed by extra clusters, never a SeekHead pointing into cluster data. (k4arecord
// overwrites its Cues without this step.)
//
// Not thread-safe: record.cpp serialises calls per recording.
#pragma once

#include "cluster_queue.h"
#include "ebml.h"
#include "file_io.h"

#include <cstdint>
#include <string>
#include <vector>

namespace k4sync::mkv {

enum class TrackType : uint8_t
{
    kVideo = 1,
    kSubtitle = 0x11,
};

struct TrackConfig
{
    std::string name; // [A-Z0-9_-]+, unique in the file
    std::string codec_id;
    TrackType type = TrackType::kVideo;
    std::vector<uint8_t> codec_private; // not written when empty
    // Video tracks only: DefaultDuration and the Video element.
    uint64_t default_duration_ns = 0;
    uint64_t pixel_width = 0;
    uint64_t pixel_height = 0;
    // Runs of consecutive frames of this track in a cluster are laced into one BlockGroup (IMU, high_freq_data).
    bool high_freq = false;
};

enum class TagTarget
{
    kGlobal,     // Targets element present but empty
    kTrack,      // TargetType "TRACK" + TagTrackUID
    kAttachment, // TargetType "ATTACHMENT" + TagAttachmentUID
};

struct SegmentInfo
{
    std::string muxing_app;
    std::string writing_app;
    std::string title;
    int64_t date_unix_seconds = 0; // second resolution, like libebml's SetEpochDate
};

enum class WriteStatus
{
    kOk,
    kTooOld,   // older than data already on disk (or flushed)
    kInvalid,  // bad argument or wrong state
    kIoError,  // the file is no longer usable
};

// Names of tracks and tags: upper-case letters, digits, '-' and '_' (k4arecord refuses anything else).
bool is_valid_k4a_name(const std::string &name);

class MkvWriter
{
public:
    static constexpr uint64_t kTimecodeScaleNs = 1000; // block and cluster times are µs
    static constexpr uint64_t kCueGapNs = 1'000'000'000;

    MkvWriter() = default;
    MkvWriter(const MkvWriter &) = delete;
    MkvWriter &operator=(const MkvWriter &) = delete;

    // Creates (or truncates) the file. Nothing is written until write_header().
    bool create(const std::string &path, const SegmentInfo &info);

    // Definition calls, valid until write_header(). UIDs are random, non-zero, 60-bit and unique in the process.
    bool add_track(const TrackConfig &config, uint32_t *track_number, uint64_t *track_uid);
    bool add_attachment(const std::string &file_name,
                        const std::string &mime_type,
                        const uint8_t *data,
                        size_t size,
                        uint64_t *file_uid);
    bool add_tag(const std::string &name, const std::string &value, TagTarget target, uint64_t target_uid);

    bool write_header();

    // Queues one frame at absolute device time (ns). Clusters that fall out of the 2 s reorder window are written
    // before returning.
    WriteStatus write_frame(uint32_t track_number, uint64_t timestamp_ns, std::vector<uint8_t> &&data);

    bool flush();
    // Flushes (if the header was written) and closes. Safe to call more than once.
    bool close();

    bool header_written() const noexcept { return header_written_; }
    bool has_track(const std::string &name) const;

private:
    struct Track
    {
        TrackConfig config;
        uint32_t number = 0;
        uint64_t uid = 0;
    };
    struct Attachment
    {
        std::string file_name;
        std::string mime_type;
        std::vector<uint8_t> data;
        uint64_t uid = 0;
    };
    struct Tag
    {
        std::string name;
        std::string value;
        TagTarget target = TagTarget::kGlobal;
        uint64_t target_uid = 0;
    };
    struct CuePoint
    {
        uint64_t time = 0;             // timecode units
        uint64_t cluster_position = 0; // relative to the Segment data
    };
    // Space reserved in the header and rewritten in place.
    struct Region
    {
        uint64_t position = 0;
        uint64_t size = 0;
    };

    const Track *find_track(uint32_t number) const;

    ebml::Bytes render_ebml_head() const;
    ebml::Bytes render_info(bool with_duration) const;
    ebml::Bytes render_tracks() const;
    ebml::Bytes render_attachments() const;
    ebml::Bytes render_tags() const;
    ebml::Bytes render_seek_head(bool with_cues) const;
    ebml::Bytes render_cues() const;

    bool write_cluster(PendingCluster &&cluster);
    bool render_cluster_body(std::vector<QueuedFrame> &frames, uint64_t cluster_position, ebml::Bytes *body);
    bool write_into_region(const Region &region, const ebml::Bytes &element);
    bool write_segment_size(uint64_t data_end);
    bool retract_cues();
    bool write_at(uint64_t position, const ebml::Bytes &bytes);
    bool sync();
    bool fail_io(const char *what, const std::string &detail);

    OutputFile file_;
    std::string path_;
    SegmentInfo info_;
    std::vector<Track> tracks_;
    std::vector<Attachment> attachments_;
    std::vector<Tag> tags_; // file order
    bool created_ = false;
    bool header_written_ = false;
    bool failed_ = false;

    // Layout, known once the header is written.
    uint64_t segment_position_ = 0;
    uint64_t segment_data_position_ = 0;
    Region seek_region_;
    Region info_region_;
    uint64_t tracks_position_ = 0;
    uint64_t attachments_position_ = 0; // 0: no Attachments element
    Region tags_region_;                // Tags element plus the Void after it
    uint64_t clusters_end_ = 0;         // where the next cluster goes
    uint64_t cues_position_ = 0;
    bool cues_on_disk_ = false; // the Cues at clusters_end_ are referenced by the SeekHead on disk

    ClusterQueue queue_;
    bool first_cluster_written_ = false;
    uint64_t start_offset_ns_ = 0;
    std::vector<CuePoint> cues_;
    uint64_t last_cue_ns_ = 0;
};

} // namespace k4sync::mkv
