/**
 * The Azure Kinect SDK's camera modes and the combinations it accepts (src/sdk/k4a.c `validate_configuration`, in
 * ../shared/spec/k4a-recording-and-sync.md §1.4): one table for record's pre-flight, rig.json validation and the
 * reader. Names are those of the K4A_COLOR_MODE and K4A_DEPTH_MODE tags (`MJPG_1080P`, `WFOV_UNBINNED`); values are
 * the SDK's enum values. Depends on nothing, so that bin/ can validate flags without loading anything else.
 */

export const CAMERA_FPS = [5, 15, 30] as const;
export type CameraFpsValue = (typeof CAMERA_FPS)[number];

interface Sized {
  /** The SDK's enum value (k4a_color_resolution_t, k4a_depth_mode_t). */
  value: number;
  width: number;
  height: number;
  /** The frame rates the SDK accepts in this mode. */
  fps: readonly CameraFpsValue[];
}

const ALL_FPS = CAMERA_FPS;
const AT_MOST_15: readonly CameraFpsValue[] = [5, 15];

export const COLOR_RESOLUTION_TABLE = {
  '720P': { value: 1, width: 1280, height: 720, fps: ALL_FPS },
  '1080P': { value: 2, width: 1920, height: 1080, fps: ALL_FPS },
  '1440P': { value: 3, width: 2560, height: 1440, fps: ALL_FPS },
  '1536P': { value: 4, width: 2048, height: 1536, fps: ALL_FPS },
  '2160P': { value: 5, width: 3840, height: 2160, fps: ALL_FPS },
  '3072P': { value: 6, width: 4096, height: 3072, fps: AT_MOST_15 },
} as const satisfies Record<string, Sized>;
export type ColorResolutionName = keyof typeof COLOR_RESOLUTION_TABLE;
export const COLOR_RESOLUTIONS = Object.keys(COLOR_RESOLUTION_TABLE) as ColorResolutionName[];

const EVERY_RESOLUTION = COLOR_RESOLUTIONS;

/** Keyed by the FOURCC the tag and the track use; `sdk` is the k4a_image_format_t name (BGRA is BGRA32 there). */
export const COLOR_FORMAT_TABLE = {
  MJPG: { value: 0, sdk: 'MJPG', resolutions: EVERY_RESOLUTION },
  NV12: { value: 1, sdk: 'NV12', resolutions: ['720P'] },
  YUY2: { value: 2, sdk: 'YUY2', resolutions: ['720P'] },
  // Converted from MJPG on the host, so every resolution the camera has.
  BGRA: { value: 3, sdk: 'BGRA32', resolutions: EVERY_RESOLUTION },
} as const satisfies Record<string, { value: number; sdk: string; resolutions: readonly ColorResolutionName[] }>;
export type ColorFormatName = keyof typeof COLOR_FORMAT_TABLE;
export const COLOR_FORMATS = Object.keys(COLOR_FORMAT_TABLE) as ColorFormatName[];

export const DEPTH_MODE_TABLE = {
  NFOV_2X2BINNED: { value: 1, width: 320, height: 288, fps: ALL_FPS },
  NFOV_UNBINNED: { value: 2, width: 640, height: 576, fps: ALL_FPS },
  WFOV_2X2BINNED: { value: 3, width: 512, height: 512, fps: ALL_FPS },
  WFOV_UNBINNED: { value: 4, width: 1024, height: 1024, fps: AT_MOST_15 },
  PASSIVE_IR: { value: 5, width: 1024, height: 1024, fps: ALL_FPS },
} as const satisfies Record<string, Sized>;
export type DepthModeName = keyof typeof DEPTH_MODE_TABLE;

/** Every colour mode name, including those the SDK refuses (NV12_1080P): a name is syntax, `modeLimits` the SDK's rule. */
export type ColorModeName = 'OFF' | `${ColorFormatName}_${ColorResolutionName}`;
export const COLOR_MODES = ['OFF', ...COLOR_FORMATS.flatMap((f) => COLOR_RESOLUTIONS.map((r) => `${f}_${r}` as const))] as [ColorModeName, ...ColorModeName[]];
export const DEPTH_MODES = ['OFF', ...(Object.keys(DEPTH_MODE_TABLE) as DepthModeName[])] as ['OFF', ...DepthModeName[]];

/** `MJPG_1080P` as its format and resolution; null for OFF or a name that is not a colour mode. */
export function parseColorMode(name: string): { format: ColorFormatName; resolution: ColorResolutionName } | null {
  const [format, resolution, ...rest] = name.split('_');
  if (rest.length > 0 || !Object.hasOwn(COLOR_FORMAT_TABLE, format!) || !Object.hasOwn(COLOR_RESOLUTION_TABLE, resolution ?? '')) return null;
  return { format: format as ColorFormatName, resolution: resolution as ColorResolutionName };
}

export interface CameraModes {
  fps: number;
  color: string;
  depth: string;
}

/** A combination the SDK refuses: the setting at fault and the limit, in words ("NV12 exists only at 720P, ..."). */
export interface ModeLimit {
  field: 'color' | 'depth';
  message: string;
}

const either = (values: readonly (string | number)[]) => (values.length === 1 ? `${values[0]}` : `${values.slice(0, -1).join(', ')} or ${values.at(-1)}`);

/** Every rule of the SDK's that these modes break; empty when `k4a_device_start_cameras` would accept them. */
export function modeLimits(modes: CameraModes): ModeLimit[] {
  const limits: ModeLimit[] = [];
  const color = parseColorMode(modes.color);
  if (color) {
    const allowed = COLOR_FORMAT_TABLE[color.format].resolutions as readonly string[];
    if (!allowed.includes(color.resolution)) {
      limits.push({ field: 'color', message: `${color.format} exists only at ${either(allowed)}, got ${modes.color}` });
    }
    const fps = COLOR_RESOLUTION_TABLE[color.resolution].fps as readonly number[];
    if (!fps.includes(modes.fps)) limits.push({ field: 'color', message: `${modes.color} needs fps ${either(fps)}, got fps ${modes.fps}` });
  }
  if (Object.hasOwn(DEPTH_MODE_TABLE, modes.depth)) {
    const fps = DEPTH_MODE_TABLE[modes.depth as DepthModeName].fps as readonly number[];
    if (!fps.includes(modes.fps)) limits.push({ field: 'depth', message: `${modes.depth} needs fps ${either(fps)}, got fps ${modes.fps}` });
  }
  return limits;
}
