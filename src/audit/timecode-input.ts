import { readAudio } from '../timecode/audio.js';
import { decodeLtc } from '../timecode/ltc-decoder.js';
import { framesToSeconds, timecodeToFrames, type LtcRate } from '../timecode/smpte.js';
import { ltcPath, type TakeManifest } from '../take/index.js';
import { timecodeLine, type TimecodeLine } from './timecode-line.js';
import type { AudioPlacement, TakeAudit } from './types.js';

/**
 * A take's timecode line from its take.json and ltc.wav: null when the take has none (not recorded by k4sync, or no
 * generator), a problem sentence when it has LTC that cannot be used.
 */
export async function loadTimecode(dir: string, manifest: TakeManifest | null): Promise<{ line: TimecodeLine | null; problem: string | null }> {
  const path = ltcPath(dir, manifest);
  if (!manifest?.ltc || !path) return { line: null, problem: null };
  try {
    const clip = await readAudio(path, { channel: manifest.ltc.channel });
    const decoded = decodeLtc(clip.samples, clip.sampleRate, { fps: manifest.ltc.rate ?? 'auto' });
    const line = timecodeLine(decoded, manifest.ltc);
    return line ? { line, problem: null } : { line: null, problem: `${manifest.ltc.file} holds no decodable LTC.` };
  } catch (e) {
    return { line: null, problem: `The take's timecode could not be read: ${(e as Error).message}` };
  }
}

/** Seconds since midnight spanned by the take's frames, from their timecode in and out. */
function takeSpan(take: TakeAudit): [number, number] | null {
  if (!take.timecode) return null;
  const rate = take.timecode.rate as LtcRate;
  return [framesToSeconds(timecodeToFrames(take.timecode.in, rate), rate), framesToSeconds(timecodeToFrames(take.timecode.out, rate) + 1, rate)];
}

/**
 * Places audio files on the take's timecode line: by their BWF time reference, or else by LTC decoded from them.
 * Says which part of the take each one covers.
 */
export async function placeAudio(files: string[], take: TakeAudit): Promise<AudioPlacement[]> {
  const span = takeSpan(take);
  const out: AudioPlacement[] = [];
  for (const file of files) {
    const p: AudioPlacement = { file, source: null, startTimecode: null, startSeconds: null, endSeconds: null, covers: null, error: null };
    try {
      const clip = await readAudio(file, take.timecode ? { fps: take.timecode.rate as LtcRate } : {});
      const seconds = clip.samples.length / clip.sampleRate;
      if (clip.bwf?.startSeconds !== null && clip.bwf?.startSeconds !== undefined) {
        Object.assign(p, { source: 'bwf', startTimecode: clip.bwf.startTimecode, startSeconds: clip.bwf.startSeconds });
      } else {
        const decoded = decodeLtc(clip.samples, clip.sampleRate, { fps: (take.timecode?.rate as LtcRate | undefined) ?? 'auto' });
        const first = decoded.frames[0];
        if (first && decoded.rate) {
          const at = framesToSeconds(timecodeToFrames(first.timecode, decoded.rate), decoded.rate) - first.sampleStart / clip.sampleRate;
          Object.assign(p, { source: 'ltc', startTimecode: first.timecode, startSeconds: at });
        }
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
