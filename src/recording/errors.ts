import { K4sError } from '../errors.js';

/**
 * Errors a user can cause by pointing k4sync at the wrong thing. Each carries a stable code (for scripts
 * and the audit JSON) and one sentence that says what to do about it.
 */
export type RecordingErrorCode =
  | 'K4S_UNREADABLE'
  | 'K4S_NOT_EBML'
  | 'K4S_NOT_MATROSKA'
  | 'K4S_NOT_K4A'
  | 'K4S_TRUNCATED'
  | 'K4S_CORRUPT';

export class RecordingError extends K4sError {
  override readonly name = 'RecordingError';

  constructor(
    override readonly code: RecordingErrorCode,
    message: string,
    readonly path: string,
    /** Byte offset in the file where the problem was found, when there is one. */
    readonly offset: number | null = null,
  ) {
    super(code, message, ''); // every reader message says what to do
  }
}

export function isRecordingError(e: unknown): e is RecordingError {
  return e instanceof RecordingError;
}
