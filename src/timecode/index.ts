/**
 * Timecode from audio, as small a surface as libltc's: create a decoder (LtcDecoder), write samples to it as they
 * arrive, read the frames (end()), and turn frame counts into timecode (framesToTimecode). openAudio streams one
 * channel of a recording into it; the BWF metadata and the LTC are compared with checkBwfAgainstLtc.
 */
export { LtcDecoder, decodeLtc, type LtcDecodeOptions, type LtcDecodeResult, type LtcDiscontinuity, type LtcDropout, type LtcFrame } from './ltc-decoder.js';
export { encodeLtc, type LtcEncodeOptions } from './ltc-encoder.js';
export { AudioError, isAudioError, openAudio, readAudio, type AudioClip, type AudioStream, type BwfInfo, type ReadAudioOptions } from './audio.js';
export { LTC_RATES, framesToSeconds, framesToTimecode, rateName, timecodeToFrames, type LtcRate } from './smpte.js';
export { LOW_LTC_LEVEL_DBFS, bwfStartLabel, checkBwfAgainstLtc, lowLevelWarning, ltcStart } from './placement.js';
