import { bwfStartLabel, checkBwfAgainstLtc, decodeLtc, framesToSeconds, lowLevelWarning, ltcStart, readAudio, timecodeToFrames, type AudioClip, type LtcDecodeResult, type LtcRate } from '../timecode/index.js';
import { ltcPath, type TakeManifest } from '../take/index.js';
import { timecodeLine, type TimecodeLine } from './timecode-line.js';
import type { AudioPlacement, TakeAudit } from './types.js';

/**
 * A take's timecode line from its take.json and ltc.wav: null when the take has none (not recorded by k4sync, or no
 * generator), a problem sentence when it has LTC that cannot be used.
 */
export async function loadTimecode(dir: string, manifest: TakeManifest | null): Promise<{ line: TimecodeLine | null; problem: string | null; warning: string | null }> {
  const path = ltcPath(dir, manifest);
  if (!manifest?.ltc || !path) return { line: null, problem: null, warning: null };
  try {
    const clip = await readAudio(path, { channel: manifest.ltc.channel });
    const decoded = decodeLtc(clip.samples, clip.sampleRate, { fps: manifest.ltc.rate ?? 'auto' });
    const line = timecodeLine(decoded, manifest.ltc);
    // A quiet LTC still decodes until a level dip loses frames: said while the crew can still turn the gain up.
    const low = lowLevelWarning(decoded.levelDbfs);
    const warning = low ? `${manifest.ltc.file}: ${low}` : null;
    return line ? { line, problem: null, warning } : { line: null, problem: `${manifest.ltc.file} holds no decodable LTC.`, warning };
  } catch (e) {
    return { line: null, problem: `The take's timecode could not be read: ${(e as Error).message}`, warning: null };
  }
}

/** Seconds since midnight spanned by the take's frames, from their timecode in and out. */
function takeSpan(take: TakeAudit): [number, number] | null {
  if (!take.timecode) return null;
  const rate = take.timecode.rate as LtcRate;
  return [framesToSeconds(timecodeToFrames(take.timecode.in, rate), rate), framesToSeconds(timecodeToFrames(take.timecode.out, rate) + 1, rate)];
}

/** Channels worth searching for LTC: those iXML names as timecode first, else every one, in order. */
function ltcChannels(clip: AudioClip): number[] {
  const named = (clip.bwf?.ixml?.tracks ?? [])
    .filter((t) => /\b(ltc|smpte|tc|time ?code)\b/i.test(t.name ?? ''))
    .map((t) => (t.interleaveIndex ?? t.channelIndex ?? 0) - 1)
    .filter((c) => c >= 0 && c < clip.channels);
  return named.length > 0 ? named : Array.from({ length: clip.channels }, (_, c) => c);
}

/** The LTC on the first channel that carries any (channel 0's samples are already read). */
async function findLtc(file: string, first: AudioClip, rate: LtcRate | undefined): Promise<{ decoded: LtcDecodeResult; sampleRate: number } | null> {
  for (const channel of ltcChannels(first)) {
    const clip = channel === first.channel ? first : await readAudio(file, { channel });
    const decoded = decodeLtc(clip.samples, clip.sampleRate, { fps: rate ?? 'auto' });
    if (decoded.frames.length > 0) return { decoded, sampleRate: clip.sampleRate };
  }
  return null;
}

/**
 * Places audio files on the take's timecode line: by the LTC one of their channels carries, else by their BWF time
 * reference. With both, they are compared: more than a frame apart, the recorder's clock was not jammed, and the
 * file is placed by its LTC with a warning naming both times. Says which part of the take each one covers.
 */
export async function placeAudio(files: string[], take: TakeAudit): Promise<AudioPlacement[]> {
  const span = takeSpan(take);
  const out: AudioPlacement[] = [];
  for (const file of files) {
    const p: AudioPlacement = { file, source: null, startTimecode: null, startSeconds: null, endSeconds: null, covers: null, ltcLevelDbfs: null, warnings: [], error: null };
    try {
      const rate = take.timecode?.rate as LtcRate | undefined;
      const clip = await readAudio(file, rate ? { fps: rate } : {});
      const seconds = clip.samples.length / clip.sampleRate;
      const ltc = await findLtc(file, clip, rate);
      const fromLtc = ltc ? ltcStart(ltc.decoded, ltc.sampleRate) : null;
      if (ltc) {
        p.ltcLevelDbfs = ltc.decoded.levelDbfs;
        p.warnings.push(...ltc.decoded.warnings);
        const low = lowLevelWarning(ltc.decoded.levelDbfs);
        if (low) p.warnings.push(low);
      }
      const check = ltc && clip.bwf ? checkBwfAgainstLtc(clip.bwf, ltc.decoded, ltc.sampleRate) : null;
      if (check?.warning) p.warnings.push(check.warning);
      if (clip.bwf?.startSeconds !== null && clip.bwf?.startSeconds !== undefined && !check?.disagree) {
        Object.assign(p, { source: 'bwf', startTimecode: bwfStartLabel(clip.bwf, ltc?.decoded.rate ?? null), startSeconds: clip.bwf.startSeconds });
      } else if (fromLtc) {
        Object.assign(p, { source: 'ltc', startTimecode: fromLtc.startTimecode, startSeconds: fromLtc.startSeconds });
      }
      if (p.startSeconds !== null) {
        p.endSeconds = p.startSeconds + seconds;
        if (span) {
          const overlap = Math.min(p.endSeconds, span[1]) - Math.max(p.startSeconds, span[0]);
          p.covers = overlap <= 0 ? 'none' : p.startSeconds <= span[0] && p.endSeconds >= span[1] ? 'all' : 'part';
        }
      }
    } catch (e) {
      p.error = (e as Error).message;
    }
    out.push(p);
  }
  return out;
}
