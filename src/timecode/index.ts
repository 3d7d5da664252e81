/**
 * Timecode from audio, as small a surface as libltc's: create a decoder (LtcDecoder), write samples to it as they
 * arrive, read the frames (end()), and turn frame counts into timecode (framesToTimecode). Besides: openAudio and
 * readAudio give one channel of a recording with its BWF metadata, which placement compares with the LTC; the
 * rate table (also importable alone from rates.ts, which loads nothing, for bin/'s start-up); and the encoder the
 * simulated rig records LTC with. Nothing outside src/timecode imports its other files.
 */
export { LtcDecoder, decodeLtc, type LtcDecodeOptions, type LtcDecodeResult, type LtcDiscontinuity, type LtcDropout, type LtcFrame } from './ltc-decoder.js';
export { encodeLtc } from './ltc-encoder.js';
export { openAudio, readAudio, type AudioClip } from './audio.js';
export { LTC_RATES, type LtcRate } from './rates.js';
export { framesToSeconds, framesToTimecode, rateName, realFps, timecodeToFrames } from './smpte.js';
export { bwfStartLabel, checkBwfAgainstLtc, lowLevelWarning, ltcStart } from './placement.js';
