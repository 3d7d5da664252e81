#include "mkv_writer.h"

#include "block_writer.h"
#include "log.h"
#include "matroska_ids.h"
#include "unique_id.h"

#include <algorithm>
#include <utility>

namespace k4sync::mkv {
namespace {

// Data sizes of the Voids k4arecord reserves (EbmlVoid::SetSize); each occupies 3 more bytes for ID and size.
constexpr uint64_t kSeekVoidDataSize = 1024;
constexpr uint64_t kInfoVoidDataSize = 256;
constexpr uint64_t kTagsVoidDataSize = 1024;
// The Segment size is always an 8-byte field so that it can be rewritten in place for any file size.
constexpr int kSegmentSizeLength = 8;
// Bytes of the CRC-32 child (ID, size, 4 data bytes).
constexpr uint64_t kCrcElementSize = 6;
// Matroska dates count from 2001-01-01T00:00:00Z.
constexpr int64_t kMatroskaEpochUnixSeconds = 978307200;

const char *target_type_name(TagTarget target)
{
    return target == TagTarget::kTrack ? "TRACK" : "ATTACHMENT";
}

void put_id_bytes(ebml::Bytes &out, uint32_t seek_id)
{
    ebml::Bytes raw;
    ebml::put_id(raw, seek_id);
    ebml::put_binary(out, id::kSeekId, raw.data(), raw.size());
}

} // namespace

bool is_valid_k4a_name(const std::string &name)
{
    if (name.empty())
        return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

bool MkvWriter::create(const std::string &path, const SegmentInfo &info)
{
    if (created_)
        return false;
    std::string error;
    if (!file_.open(path, &error))
    {
        K4S_LOG_ERROR("Unable to open recording file '%s': %s", path.c_str(), error.c_str());
        return false;
    }
    path_ = path;
    info_ = info;
    created_ = true;
    return true;
}

bool MkvWriter::has_track(const std::string &name) const
{
    return std::any_of(tracks_.begin(), tracks_.end(), [&](const Track &t) { return t.config.name == name; });
}

const MkvWriter::Track *MkvWriter::find_track(uint32_t number) const
{
    // Track numbers are assigned 1, 2, 3 ... in creation order.
    if (number == 0 || number > tracks_.size())
        return nullptr;
    return &tracks_[number - 1];
}

bool MkvWriter::add_track(const TrackConfig &config, uint32_t *track_number, uint64_t *track_uid)
{
    if (!created_ || header_written_)
    {
        K4S_LOG_ERROR("Tracks must be added before the recording header is written.");
        return false;
    }
    if (!is_valid_k4a_name(config.name))
    {
        K4S_LOG_ERROR("Track name '%s' must be ALL CAPS and may only contain A-Z, 0-9, '-' and '_'.",
                      config.name.c_str());
        return false;
    }
    if (has_track(config.name))
    {
        K4S_LOG_ERROR("A track already exists with the name: %s", config.name.c_str());
        return false;
    }
    if (config.codec_id.empty())
    {
        K4S_LOG_ERROR("Track '%s' needs a codec ID.", config.name.c_str());
        return false;
    }
    if (config.type == TrackType::kVideo && config.default_duration_ns == 0)
    {
        K4S_LOG_ERROR("Video track '%s' needs a frame rate.", config.name.c_str());
        return false;
    }
    if (tracks_.size() >= kMaxBlockTrackNumber || config.codec_private.size() > ebml::kMaxElementSize / 2)
    {
        K4S_LOG_ERROR("Track '%s' cannot be added: too many tracks or codec data too large.", config.name.c_str());
        return false;
    }
    Track track;
    track.config = config;
    track.number = static_cast<uint32_t>(tracks_.size() + 1);
    track.uid = new_unique_id();
    tracks_.push_back(std::move(track));
    if (track_number != nullptr)
        *track_number = tracks_.back().number;
    if (track_uid != nullptr)
        *track_uid = tracks_.back().uid;
    return true;
}

bool MkvWriter::add_attachment(const std::string &file_name,
                               const std::string &mime_type,
                               const uint8_t *data,
                               size_t size,
                               uint64_t *file_uid)
{
    if (!created_ || header_written_)
    {
        K4S_LOG_ERROR("Attachments must be added before the recording header is written.");
        return false;
    }
    if (file_name.empty() || (data == nullptr && size != 0) || size > ebml::kMaxElementSize / 2)
    {
        K4S_LOG_ERROR("Invalid attachment '%s'.", file_name.c_str());
        return false;
    }
    Attachment attachment;
    attachment.file_name = file_name;
    attachment.mime_type = mime_type;
    if (size > 0)
        attachment.data.assign(data, data + size);
    attachment.uid = new_unique_id();
    attachments_.push_back(std::move(attachment));
    if (file_uid != nullptr)
        *file_uid = attachments_.back().uid;
    return true;
}

bool MkvWriter::add_tag(const std::string &name, const std::string &value, TagTarget target, uint64_t target_uid)
{
    if (!created_ || header_written_)
    {
        K4S_LOG_ERROR("Tags must be added before the recording header is written.");
        return false;
    }
    if (!is_valid_k4a_name(name))
    {
        K4S_LOG_ERROR("Tag name '%s' must be ALL CAPS and may only contain A-Z, 0-9, '-' and '_'.", name.c_str());
        return false;
    }
    if (target != TagTarget::kGlobal && target_uid == 0)
        return false;
    tags_.push_back(Tag{name, value, target, target_uid});
    return true;
}

// ---- Rendering ------------------------------------------------------------------------------------------------

ebml::Bytes MkvWriter::render_ebml_head() const
{
    ebml::Bytes body;
    ebml::put_uint(body, id::kEbmlVersion, 1);
    ebml::put_uint(body, id::kEbmlReadVersion, 1);
    ebml::put_uint(body, id::kEbmlMaxIdLength, 4);
    ebml::put_uint(body, id::kEbmlMaxSizeLength, 8);
    ebml::put_string(body, id::kDocType, "matroska");
    ebml::put_uint(body, id::kDocTypeVersion, 2);
    // The SDK's reader refuses DocTypeReadVersion > 2.
    ebml::put_uint(body, id::kDocTypeReadVersion, 2);
    ebml::Bytes out;
    ebml::put_master(out, id::kEbml, body);
    return out;
}

ebml::Bytes MkvWriter::render_info(bool with_duration) const
{
    ebml::Bytes body;
    ebml::put_uint(body, id::kTimecodeScale, kTimecodeScaleNs);
    ebml::put_string(body, id::kMuxingApp, info_.muxing_app);
    ebml::put_string(body, id::kWritingApp, info_.writing_app);
    ebml::put_date(body, id::kDateUtc, (info_.date_unix_seconds - kMatroskaEpochUnixSeconds) * 1'000'000'000);
    ebml::put_string(body, id::kTitle, info_.title);
    if (with_duration)
    {
        // k4arecord: (most recent timestamp given to any write call - start offset), in timecode units, stored as
        // a 4-byte float.
        const uint64_t newest = queue_.most_recent_ns();
        const uint64_t span = newest >= start_offset_ns_ ? (newest - start_offset_ns_) / kTimecodeScaleNs : 0;
        ebml::put_float32(body, id::kDuration, static_cast<float>(span));
    }
    ebml::Bytes out;
    ebml::put_master(out, id::kInfo, body);
    return out;
}

ebml::Bytes MkvWriter::render_tracks() const
{
    ebml::Bytes body;
    for (const Track &track : tracks_)
    {
        const TrackConfig &c = track.config;
        ebml::Bytes entry;
        ebml::put_uint(entry, id::kTrackNumber, track.number);
        ebml::put_uint(entry, id::kTrackUid, track.uid);
        ebml::put_uint(entry, id::kTrackType, static_cast<uint64_t>(c.type));
        ebml::put_string(entry, id::kCodecId, c.codec_id);
        ebml::put_string(entry, id::kTrackName, c.name);
        if (!c.codec_private.empty())
            ebml::put_binary(entry, id::kCodecPrivate, c.codec_private.data(), c.codec_private.size());
        if (c.type == TrackType::kVideo)
        {
            ebml::put_uint(entry, id::kDefaultDuration, c.default_duration_ns);
            ebml::Bytes video;
            ebml::put_uint(video, id::kPixelWidth, c.pixel_width);
            ebml::put_uint(video, id::kPixelHeight, c.pixel_height);
            ebml::put_master(entry, id::kVideo, video);
        }
        // FlagLacing keeps its default (1) and Language its default (eng), so neither is written, as in k4arecord.
        ebml::put_master(body, id::kTrackEntry, entry);
    }
    ebml::Bytes out;
    ebml::put_master(out, id::kTracks, body);
    return out;
}

ebml::Bytes MkvWriter::render_attachments() const
{
    ebml::Bytes body;
    for (const Attachment &a : attachments_)
    {
        ebml::Bytes file;
        ebml::put_string(file, id::kFileName, a.file_name);
        ebml::put_string(file, id::kFileMimeType, a.mime_type);
        ebml::put_binary(file, id::kFileData, a.data.data(), a.data.size());
        ebml::put_uint(file, id::kFileUid, a.uid);
        ebml::put_master(body, id::kAttachedFile, file);
    }
    ebml::Bytes out;
    ebml::put_master(out, id::kAttachments, body);
    return out;
}

ebml::Bytes MkvWriter::render_tags() const
{
    ebml::Bytes body;
    for (const Tag &tag : tags_)
    {
        ebml::Bytes targets;
        if (tag.target != TagTarget::kGlobal)
        {
            ebml::put_string(targets, id::kTargetType, target_type_name(tag.target));
            ebml::put_uint(targets,
                           tag.target == TagTarget::kTrack ? id::kTagTrackUid : id::kTagAttachmentUid,
                           tag.target_uid);
        }
        ebml::Bytes simple;
        ebml::put_string(simple, id::kTagName, tag.name);
        ebml::put_string(simple, id::kTagString, tag.value);
        ebml::Bytes element;
        // Global tags keep an empty Targets element: readers (and k4arecord's own) expect it to be present.
        ebml::put_master(element, id::kTargets, targets);
        ebml::put_master(element, id::kSimpleTag, simple);
        ebml::put_master(body, id::kTag, element);
    }
    ebml::Bytes out;
    ebml::put_master_with_crc(out, id::kTags, body);
    return out;
}

ebml::Bytes MkvWriter::render_seek_head(bool with_cues) const
{
    ebml::Bytes body;
    auto add_entry = [&](uint32_t element_id, uint64_t position) {
        ebml::Bytes seek;
        put_id_bytes(seek, element_id);
        ebml::put_uint(seek, id::kSeekPosition, position - segment_data_position_);
        ebml::put_master(body, id::kSeek, seek);
    };
    add_entry(id::kInfo, info_region_.position);
    add_entry(id::kTracks, tracks_position_);
    if (attachments_position_ != 0)
        add_entry(id::kAttachments, attachments_position_);
    add_entry(id::kTags, tags_region_.position);
    if (with_cues)
        add_entry(id::kCues, cues_position_);
    ebml::Bytes out;
    ebml::put_master(out, id::kSeekHead, body);
    return out;
}

ebml::Bytes MkvWriter::render_cues() const
{
    ebml::Bytes body;
    for (const CuePoint &cue : cues_)
    {
        ebml::Bytes positions;
        // Cues index track number 1 only.
        ebml::put_uint(positions, id::kCueTrack, 1);
        ebml::put_uint(positions, id::kCueClusterPosition, cue.cluster_position);
        ebml::Bytes point;
        ebml::put_uint(point, id::kCueTime, cue.time);
        ebml::put_master(point, id::kCueTrackPositions, positions);
        ebml::put_master(body, id::kCuePoint, point);
    }
    ebml::Bytes out;
    ebml::put_master(out, id::kCues, body);
    return out;
}

// ---- Header ---------------------------------------------------------------------------------------------------

bool MkvWriter::write_header()
{
    if (!created_ || failed_)
        return false;
    if (header_written_)
    {
        K4S_LOG_ERROR("The header for this recording has already been written.");
        return false;
    }

    ebml::Bytes out = render_ebml_head();

    segment_position_ = out.size();
    ebml::put_id(out, id::kSegment);
    // Size 0 (not "unknown") until the first flush, exactly like k4arecord; tolerant readers read to end of file.
    ebml::put_size(out, 0, kSegmentSizeLength);
    segment_data_position_ = out.size();

    // SeekHead and Info are only reserved here and first written at flush, as k4arecord does, so a recording that
    // is never flushed looks like one from the official writer that was never flushed.
    seek_region_ = {out.size(), ebml::element_total_size(id::kVoid, kSeekVoidDataSize)};
    ebml::put_void(out, seek_region_.size);
    info_region_ = {out.size(), ebml::element_total_size(id::kVoid, kInfoVoidDataSize)};
    ebml::put_void(out, info_region_.size);

    tracks_position_ = out.size();
    const ebml::Bytes tracks = render_tracks();
    out.insert(out.end(), tracks.begin(), tracks.end());

    if (!attachments_.empty())
    {
        attachments_position_ = out.size();
        const ebml::Bytes attachments = render_attachments();
        out.insert(out.end(), attachments.begin(), attachments.end());
    }

    const ebml::Bytes tags = render_tags();
    const uint64_t tags_void_size = ebml::element_total_size(id::kVoid, kTagsVoidDataSize);
    tags_region_ = {out.size(), tags.size() + tags_void_size};
    out.insert(out.end(), tags.begin(), tags.end());
    ebml::put_void(out, tags_void_size);

    clusters_end_ = out.size();
    if (!write_at(0, out))
        return false;
    header_written_ = true;
    return true;
}

// ---- Clusters -------------------------------------------------------------------------------------------------

WriteStatus MkvWriter::write_frame(uint32_t track_number, uint64_t timestamp_ns, std::vector<uint8_t> &&data)
{
    if (failed_)
        return WriteStatus::kIoError;
    if (!header_written_)
    {
        K4S_LOG_ERROR("The recording header needs to be written before any track data.");
        return WriteStatus::kInvalid;
    }
    if (find_track(track_number) == nullptr || data.size() > ebml::kMaxElementSize / 2)
        return WriteStatus::kInvalid;

    QueuedFrame frame;
    frame.timestamp_ns = timestamp_ns;
    frame.track_number = track_number;
    frame.data = std::move(data);
    switch (queue_.add(std::move(frame)))
    {
    case ClusterQueue::AddResult::kQueued:
        break;
    case ClusterQueue::AddResult::kTooOld:
        K4S_LOG_ERROR("The cluster containing the timestamp %llu ns has already been written to disk.",
                      static_cast<unsigned long long>(timestamp_ns));
        return WriteStatus::kTooOld;
    case ClusterQueue::AddResult::kOutOfRange:
        K4S_LOG_ERROR("Timestamp %llu ns is out of range.", static_cast<unsigned long long>(timestamp_ns));
        return WriteStatus::kInvalid;
    }

    PendingCluster ready;
    while (queue_.pop_ready(&ready))
    {
        if (!write_cluster(std::move(ready)))
            return WriteStatus::kIoError;
    }
    return WriteStatus::kOk;
}

bool MkvWriter::render_cluster_body(std::vector<QueuedFrame> &frames, uint64_t cluster_position, ebml::Bytes *body)
{
    // Stable, so items with equal timestamps keep their arrival order (k4arecord's sort is unstable; readers must
    // not rely on the order within one instant either way).
    std::stable_sort(frames.begin(), frames.end(), [](const QueuedFrame &a, const QueuedFrame &b) {
        return a.timestamp_ns < b.timestamp_ns;
    });
    if (frames.front().timestamp_ns < start_offset_ns_)
        return false;
    const uint64_t cluster_time = (frames.front().timestamp_ns - start_offset_ns_) / kTimecodeScaleNs;

    size_t capacity = 64;
    for (const QueuedFrame &f : frames)
        capacity += f.data.size() + 16;
    body->reserve(capacity);
    ebml::put_uint(*body, id::kClusterTimecode, cluster_time);

    bool cue_considered = false;
    size_t i = 0;
    while (i < frames.size())
    {
        const QueuedFrame &first = frames[i];
        const Track *track = find_track(first.track_number);
        if (track == nullptr)
            return false;
        const uint64_t block_ns = first.timestamp_ns - start_offset_ns_;
        const uint64_t block_time = block_ns / kTimecodeScaleNs;
        // Windows span < 32 ms, so the relative time always fits the block's signed 16 bits; check anyway.
        if (block_time - cluster_time > 0x7FFF)
            return false;
        const auto relative = static_cast<int16_t>(block_time - cluster_time);

        // One cue per cluster at most: the first block of track 1, if it is the first cue or >= 1 s after the
        // previous one. "Previous cue at 0" counts as no cue yet (k4arecord tests last == 0), which is why a file's
        // second cue usually follows its first by one frame.
        if (!cue_considered && track->number == 1)
        {
            cue_considered = true;
            if (last_cue_ns_ == 0 || block_ns >= last_cue_ns_ + kCueGapNs)
            {
                last_cue_ns_ = block_ns;
                cues_.push_back(CuePoint{block_time, cluster_position});
            }
        }

        if (track->config.high_freq)
        {
            std::vector<FrameRef> run;
            size_t j = i;
            while (j < frames.size() && frames[j].track_number == first.track_number && run.size() < kMaxFramesPerLace)
            {
                run.push_back(FrameRef{frames[j].data.data(), frames[j].data.size()});
                j++;
            }
            // Span of the run plus one tick: one sample gives 1, two samples 600 µs apart give 601.
            const uint64_t duration = (frames[j - 1].timestamp_ns - first.timestamp_ns + kTimecodeScaleNs) /
                                      kTimecodeScaleNs;
            if (!append_block_group(*body, track->number, relative, run, duration))
                return false;
            i = j;
        }
        else
        {
            if (!append_simple_block(*body, track->number, relative, FrameRef{first.data.data(), first.data.size()}))
                return false;
            i++;
        }
    }
    return true;
}

bool MkvWriter::write_cluster(PendingCluster &&cluster)
{
    if (failed_)
        return false;
    if (cluster.frames.empty())
        return true;
    if (cues_on_disk_ && !retract_cues())
        return false;

    if (!first_cluster_written_)
    {
        // The start offset is the earliest item of the first cluster written; it reaches disk with the next flush.
        const auto earliest = std::min_element(cluster.frames.begin(),
                                               cluster.frames.end(),
                                               [](const QueuedFrame &a, const QueuedFrame &b) {
                                                   return a.timestamp_ns < b.timestamp_ns;
                                               });
        start_offset_ns_ = earliest->timestamp_ns;
        first_cluster_written_ = true;
        tags_.push_back(Tag{"K4A_START_OFFSET_NS", std::to_string(start_offset_ns_), TagTarget::kGlobal, 0});
    }

    const uint64_t cluster_position = clusters_end_ - segment_data_position_;
    ebml::Bytes body;
    if (!render_cluster_body(cluster.frames, cluster_position, &body))
    {
        K4S_LOG_ERROR("Failed to lay out a cluster of '%s'; the recording is stopped.", path_.c_str());
        failed_ = true;
        return false;
    }
    ebml::Bytes head;
    if (!ebml::put_header(head, id::kCluster, kCrcElementSize + body.size()))
    {
        failed_ = true;
        return false;
    }
    ebml::put_crc32_element(head, body.data(), body.size());
    if (!write_at(clusters_end_, head) || !write_at(clusters_end_ + head.size(), body))
        return false;
    clusters_end_ += head.size() + body.size();
    return true;
}

// ---- Flush ----------------------------------------------------------------------------------------------------

bool MkvWriter::write_into_region(const Region &region, const ebml::Bytes &element)
{
    if (element.size() > region.size || region.size - element.size() == 1)
    {
        // Cannot happen with the fixed set of header elements, but never write past the reserved space.
        K4S_LOG_ERROR("Header element does not fit its reserved space in '%s'.", path_.c_str());
        failed_ = true;
        return false;
    }
    ebml::Bytes out = element;
    const uint64_t rest = region.size - element.size();
    if (rest > 0)
        ebml::put_void(out, rest);
    return write_at(region.position, out);
}

bool MkvWriter::write_segment_size(uint64_t data_end)
{
    ebml::Bytes size;
    if (!ebml::put_size(size, data_end - segment_data_position_, kSegmentSizeLength))
        return false;
    return write_at(segment_position_ + 4, size);
}

bool MkvWriter::retract_cues()
{
    // New clusters are about to overwrite the Cues of the last flush. First make the file on disk stop referring to
    // them (SeekHead without Cues, Segment ending after the flushed clusters), so that being killed from here on
    // still leaves a complete file up to that flush.
    if (!write_into_region(seek_region_, render_seek_head(false)) || !write_segment_size(clusters_end_) || !sync())
        return false;
    cues_on_disk_ = false;
    return true;
}

bool MkvWriter::flush()
{
    if (!header_written_ || failed_)
        return false;

    for (PendingCluster &cluster : queue_.take_all_for_flush())
    {
        if (!write_cluster(std::move(cluster)))
            return false;
    }

    uint64_t end = clusters_end_;
    const bool with_cues = !cues_.empty();
    if (with_cues)
    {
        cues_position_ = clusters_end_;
        const ebml::Bytes cues = render_cues();
        if (!write_at(cues_position_, cues))
            return false;
        end += cues.size();
    }
    std::string error;
    if (!file_.truncate(end, &error))
        return fail_io("truncate", error);
    // Clusters and Cues must be durable before any header element points at them.
    if (!sync())
        return false;

    // The Segment size goes before the SeekHead so that a SeekHead entry never points past the Segment's end.
    if (!write_into_region(info_region_, render_info(true)) || !write_into_region(tags_region_, render_tags()) ||
        !write_segment_size(end) || !write_into_region(seek_region_, render_seek_head(with_cues)) || !sync())
        return false;
    cues_on_disk_ = with_cues;
    return true;
}

bool MkvWriter::close()
{
    if (!created_)
        return true;
    bool ok = true;
    if (header_written_)
        ok = !failed_ && flush();
    std::string error;
    if (!file_.close(&error))
    {
        K4S_LOG_ERROR("Failed to close recording '%s': %s", path_.c_str(), error.c_str());
        ok = false;
    }
    created_ = false;
    header_written_ = false;
    return ok;
}

// ---- I/O ------------------------------------------------------------------------------------------------------

bool MkvWriter::write_at(uint64_t position, const ebml::Bytes &bytes)
{
    std::string error;
    if (!file_.write_at(position, bytes.data(), bytes.size(), &error))
        return fail_io("write", error);
    return true;
}

bool MkvWriter::sync()
{
    std::string error;
    if (!file_.sync(&error))
        return fail_io("sync", error);
    return true;
}

bool MkvWriter::fail_io(const char *what, const std::string &detail)
{
    // After a failed write the file's state is unknown; refuse everything else instead of adding to the damage.
    K4S_LOG_ERROR("Failed to %s recording '%s': %s", what, path_.c_str(), detail.c_str());
    failed_ = true;
    return false;
}

} // namespace k4sync::mkv
