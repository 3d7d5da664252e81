import { K4sError } from '../errors.js';

/**
 * Errors of trim, recover, index and preview. `input` errors are the user's to fix (a folder that is not a take, no common
 * window, a timecode range on a take without timecode): exit 2. Everything else is a failure of the work itself
 * (a disk that fills up, ffmpeg refusing): exit 1.
 */
export type PostErrorCode =
  | 'K4S_NO_TAKE'
  | 'K4S_NO_WINDOW'
  | 'K4S_BAD_WINDOW'
  | 'K4S_NO_TIMECODE'
  | 'K4S_OUT_EXISTS'
  | 'K4S_NOT_TRIMMABLE'
  | 'K4S_NO_COLOR'
  | 'K4S_NO_FFMPEG'
  | 'K4S_TRIM_FAILED'
  | 'K4S_NOT_RECOVERABLE'
  | 'K4S_RECOVER_FAILED'
  | 'K4S_PREVIEW_FAILED';

export class PostError extends K4sError {
  override readonly name = 'PostError';

  constructor(override readonly code: PostErrorCode, message: string, remedy?: string) {
    super(code, message, remedy ?? ''); // the message says what to do unless a remedy is given
  }
}

export function isPostError(e: unknown): e is PostError {
  return e instanceof PostError;
}
