import { K4sError } from '../errors.js';

/** Stable codes of the audio input errors; each error's message is one sentence that says what to do. */
export type AudioErrorCode = 'K4S_UNREADABLE' | 'K4S_NOT_AUDIO' | 'K4S_BAD_CHANNEL' | 'K4S_NO_FFMPEG';

export class AudioError extends K4sError {
  override readonly name = 'AudioError';

  constructor(
    override readonly code: AudioErrorCode,
    message: string,
    /** The file the error is about, when there is one. */
    readonly path: string | null,
    /** For K4S_BAD_CHANNEL: how many channels the file has. */
    readonly channels: number | null = null,
  ) {
    super(code, message, ''); // every audio message says what to do
  }
}

export function isAudioError(e: unknown): e is AudioError {
  return e instanceof AudioError;
}
