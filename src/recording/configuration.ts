import { deviceFamily } from './device-family.js';
import type { ParseNotes } from './header.js';
import type {
  BuiltinTrack, CameraFps, ColorFormat, ColorResolution, DepthMode, DeviceInfo, K4aTags, RecordConfiguration, Tag, TrackInfo,
  WiredSyncMode,
} from './types.js';

const BUILTIN_NAMES: Record<BuiltinTrack, readonly string[]> = {
  COLOR: ['COLOR'],
  DEPTH: ['DEPTH'],
  // Files from SDKs before 1.0 name the IR track DEPTH_IR.
  IR: ['IR', 'DEPTH_IR'],
  IMU: ['IMU'],
};

const K4A_CODECS = new Set(['V_MS/VFW/FOURCC', 'S_K4A/IMU']);

/** The value of the first tag with this name, whatever its target, as k4a_playback_get_tag does. */
export function tagValue(tags: readonly Tag[], name: string): string | null {
  return tags.find((t) => t.name === name)?.value ?? null;
}

/**
 * Finds COLOR, DEPTH, IR and IMU: by the K4A_*_TRACK tag (its target UID, then the UID in its value),
 * then by name. The tags exist because early files had wrong targets on the mode tags.
 */
export function identifyTracks(tracks: TrackInfo[], tags: readonly Tag[]): void {
  for (const role of Object.keys(BUILTIN_NAMES) as BuiltinTrack[]) {
    const tag = tags.find((t) => t.name === `K4A_${role}_TRACK`);
    const uids: bigint[] = [];
    if (tag?.target.kind === 'track') uids.push(tag.target.uid);
    if (tag && /^\d+$/.test(tag.value.trim())) uids.push(BigInt(tag.value.trim()));
    const byTag = uids.map((u) => tracks.find((t) => t.uid === u && t.builtin === null)).find(Boolean);
    const byName = tracks.find((t) => t.builtin === null && BUILTIN_NAMES[role].includes(t.name));
    const found = byTag ?? byName;
    if (found) found.builtin = role;
  }
}

/** An Azure Kinect recording names its streams the SDK way or carries K4A tags; an ordinary MKV does neither. */
export function looksLikeK4a(tracks: readonly TrackInfo[], tags: readonly Tag[]): boolean {
  return tags.some((t) => t.name.startsWith('K4A_')) || tracks.some((t) => t.builtin !== null && K4A_CODECS.has(t.codecId));
}

const FOURCC_FORMATS: Record<string, ColorFormat> = { MJPG: 'MJPG', NV12: 'NV12', YUY2: 'YUY2', BGRA: 'BGRA32' };
const HEIGHT_RESOLUTIONS: Record<number, ColorResolution> = {
  720: '720P', 1080: '1080P', 1440: '1440P', 1536: '1536P', 2160: '2160P', 3072: '3072P',
};
const DEPTH_MODES: readonly DepthMode[] = ['NFOV_2X2BINNED', 'NFOV_UNBINNED', 'WFOV_2X2BINNED', 'WFOV_UNBINNED', 'PASSIVE_IR'];
const DEPTH_SIZES: Record<string, DepthMode> = {
  '320x288': 'NFOV_2X2BINNED', '640x576': 'NFOV_UNBINNED', '512x512': 'WFOV_2X2BINNED', '1024x1024': 'WFOV_UNBINNED',
};
const SYNC_MODES: readonly WiredSyncMode[] = ['STANDALONE', 'MASTER', 'SUBORDINATE'];

/** A decimal integer tag as bigint, or null with a warning when it is not one. */
export function integerTag(tags: readonly Tag[], name: string, notes: ParseNotes): bigint | null {
  const v = tagValue(tags, name);
  if (v === null) return null;
  if (/^\s*-?\d+\s*$/.test(v)) return BigInt(v.trim());
  notes.warn('K4S_BAD_TAG', `Tag ${name} should be an integer but is "${v}"; it was ignored.`);
  return null;
}

/** ns to µs the way the C reader divides: toward zero. */
function nsTagToUs(ns: bigint | null): number {
  return ns === null ? 0 : Number(ns / 1000n);
}

export interface ConfigurationResult {
  configuration: RecordConfiguration;
  device: DeviceInfo;
  legacy: boolean;
}

export function readConfiguration(
  tracks: readonly TrackInfo[],
  tags: readonly Tag[],
  startOffsetUs: number,
  notes: ParseNotes,
): ConfigurationResult {
  const byRole = (r: BuiltinTrack) => tracks.find((t) => t.builtin === r) ?? null;
  const color = byRole('COLOR');
  const depth = byRole('DEPTH');
  const ir = byRole('IR');
  let legacy = ir?.name === 'DEPTH_IR';

  const colorMode = tagValue(tags, 'K4A_COLOR_MODE');
  let colorFormat: ColorFormat | null = null;
  let colorResolution: ColorResolution | null = null;
  if (color) {
    colorFormat = FOURCC_FORMATS[color.fourcc ?? ''] ?? FOURCC_FORMATS[colorMode?.split('_')[0] ?? ''] ?? null;
    colorResolution = HEIGHT_RESOLUTIONS[color.height ?? 0] ?? null;
    if (!colorFormat) notes.warn('K4S_UNKNOWN_MODE', `The COLOR track's format (${color.fourcc ?? color.codecId}) is not one the SDK records.`);
    if (!colorResolution) notes.warn('K4S_UNKNOWN_MODE', `The COLOR track's size ${color.width}x${color.height} is not an Azure Kinect colour resolution.`);
  }

  let depthMode: DepthMode | null = null;
  const depthTag = tagValue(tags, 'K4A_DEPTH_MODE');
  if (depthTag !== null) {
    const upper = depthTag.toUpperCase();
    depthMode = DEPTH_MODES.find((m) => m === upper) ?? null;
    if (depthMode && upper !== depthTag) legacy = true;
    if (!depthMode) notes.warn('K4S_UNKNOWN_MODE', `K4A_DEPTH_MODE "${depthTag}" is not a depth mode the SDK knows.`);
  } else if (depth || ir) {
    const t = (depth ?? ir)!;
    depthMode = depth ? DEPTH_SIZES[`${t.width}x${t.height}`] ?? null : 'PASSIVE_IR';
    notes.warn('K4S_NO_DEPTH_MODE', `The file has depth or IR but no K4A_DEPTH_MODE tag (the SDK refuses it); the mode ${depthMode ?? 'is unknown'} was inferred from the image size.`);
  }
  for (const t of [depth, ir]) {
    if (t?.fourcc === 'YUY2') legacy = true;
  }

  const video = [color, depth, ir].filter((t): t is TrackInfo => t !== null);
  let cameraFps: CameraFps | null = null;
  const dd = video.find((t) => t.defaultDurationNs)?.defaultDurationNs ?? null;
  if (dd) {
    const fps = Math.round(1e9 / dd);
    if (fps === 5 || fps === 15 || fps === 30) cameraFps = fps;
    else notes.warn('K4S_UNKNOWN_MODE', `The video tracks' frame duration (${dd} ns) is not 5, 15 or 30 fps.`);
  } else if (video.length > 0) {
    notes.warn('K4S_UNKNOWN_MODE', 'The video tracks carry no DefaultDuration, so the frame rate is unknown.');
  }
  if (video.some((t) => t.defaultDurationNs !== null && t.defaultDurationNs !== dd)) {
    notes.warn('K4S_UNKNOWN_MODE', 'The video tracks have different frame durations.');
  }

  const syncTag = tagValue(tags, 'K4A_WIRED_SYNC_MODE');
  let wiredSyncMode: WiredSyncMode = 'STANDALONE';
  if (syncTag !== null) {
    const m = SYNC_MODES.find((s) => s === syncTag.toUpperCase());
    if (m) wiredSyncMode = m;
    else notes.warn('K4S_BAD_TAG', `K4A_WIRED_SYNC_MODE "${syncTag}" is not STANDALONE, MASTER or SUBORDINATE; STANDALONE assumed.`);
  }

  const configuration: RecordConfiguration = {
    colorFormat,
    colorResolution,
    depthMode,
    cameraFps,
    colorTrackEnabled: color !== null,
    depthTrackEnabled: depth !== null,
    irTrackEnabled: ir !== null,
    imuTrackEnabled: byRole('IMU') !== null,
    depthDelayOffColorUs: nsTagToUs(integerTag(tags, 'K4A_DEPTH_DELAY_NS', notes)),
    wiredSyncMode,
    subordinateDelayOffMasterUs:
      wiredSyncMode === 'SUBORDINATE' ? nsTagToUs(integerTag(tags, 'K4A_SUBORDINATE_DELAY_NS', notes)) : 0,
    startTimestampOffsetUs: startOffsetUs,
  };
  const serial = tagValue(tags, 'K4A_DEVICE_SERIAL_NUMBER');
  const colorFirmware = tagValue(tags, 'K4A_COLOR_FIRMWARE_VERSION');
  const depthFirmware = tagValue(tags, 'K4A_DEPTH_FIRMWARE_VERSION');
  const device: DeviceInfo = { serial, colorFirmware, depthFirmware, family: deviceFamily(serial, colorFirmware, depthFirmware) };
  return { configuration, device, legacy };
}

function oneOf<T extends string>(tags: readonly Tag[], name: string, allowed: readonly T[], notes: ParseNotes): T | null {
  const v = tagValue(tags, name);
  if (v === null) return null;
  const hit = allowed.find((a) => a === v.toUpperCase());
  if (!hit) notes.warn('K4S_BAD_TAG', `Tag ${name} is "${v}", not one of ${allowed.join(', ')}; it was ignored.`);
  return hit ?? null;
}

function uidTag(tags: readonly Tag[], name: string): bigint | null {
  const v = tagValue(tags, name)?.trim();
  return v && /^\d+$/.test(v) ? BigInt(v) : null;
}

export function readK4aTags(tags: readonly Tag[], notes: ParseNotes): K4aTags {
  const trackUids: K4aTags['trackUids'] = {};
  for (const role of Object.keys(BUILTIN_NAMES) as BuiltinTrack[]) {
    const uid = uidTag(tags, `K4A_${role}_TRACK`);
    if (uid !== null) trackUids[role] = uid;
  }
  const customTrackUids: Record<string, bigint> = {};
  for (const t of tags) {
    const uid = uidTag([t], t.name);
    if (t.name.startsWith('K4A_CUSTOM_TRACK_') && uid !== null) customTrackUids[t.name.slice('K4A_CUSTOM_TRACK_'.length)] ??= uid;
  }
  return {
    colorMode: tagValue(tags, 'K4A_COLOR_MODE'),
    depthMode: tagValue(tags, 'K4A_DEPTH_MODE'),
    irMode: oneOf(tags, 'K4A_IR_MODE', ['ACTIVE', 'PASSIVE'] as const, notes),
    imuMode: oneOf(tags, 'K4A_IMU_MODE', ['ON', 'OFF'] as const, notes),
    depthDelayNs: integerTag(tags, 'K4A_DEPTH_DELAY_NS', notes),
    wiredSyncMode: oneOf(tags, 'K4A_WIRED_SYNC_MODE', SYNC_MODES, notes),
    subordinateDelayNs: integerTag(tags, 'K4A_SUBORDINATE_DELAY_NS', notes),
    colorFirmwareVersion: tagValue(tags, 'K4A_COLOR_FIRMWARE_VERSION'),
    depthFirmwareVersion: tagValue(tags, 'K4A_DEPTH_FIRMWARE_VERSION'),
    deviceSerialNumber: tagValue(tags, 'K4A_DEVICE_SERIAL_NUMBER'),
    calibrationFile: tagValue(tags, 'K4A_CALIBRATION_FILE'),
    startOffsetNs: integerTag(tags, 'K4A_START_OFFSET_NS', notes),
    trackUids,
    customTrackUids,
  };
}
