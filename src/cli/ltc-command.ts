import { bwfStartLabel, checkBwfAgainstLtc, LtcDecoder, lowLevelWarning, openAudio, rateName, type LtcRate } from '../timecode/index.js';
import { progressBar } from './progress.js';

export interface LtcFlags {
  channel?: number;
  fps?: LtcRate | 'auto';
  json?: boolean;
}

/** A sub-sample position to two decimals; a fit a hair before sample 0 reads 0.00, not -0.00. */
function position(sample: number): string {
  return (Math.round(sample * 100) / 100 + 0).toFixed(2);
}

/** `k4sync ltc`: the timecode run of an audio file; exit 0 when LTC was found, 1 when none, 2 for bad input. */
export async function runLtc(file: string, flags: LtcFlags): Promise<number> {
  const audio = await openAudio(file, { channel: flags.channel ?? 0, ...(flags.fps && flags.fps !== 'auto' ? { fps: flags.fps } : {}) });
  const clip = audio.info;
  // The samples stream through the decoder: memory is one decoding window whatever the length of the file.
  // Text output needs only the first and last frame: the frame list is kept for --json alone.
  const decoder = new LtcDecoder(clip.sampleRate, { fps: flags.fps ?? 'auto', frames: flags.json === true });
  // A bar for files long enough to wait for (a minute of audio decodes in well under a second).
  const long = audio.length !== null && audio.length > 600 * clip.sampleRate;
  const progress = progressBar(long ? audio.length! : 0, 'Decoding LTC', flags.json || !long);
  try {
    for await (const block of audio.blocks) {
      decoder.write(block);
      progress.update(decoder.written);
    }
  } finally {
    progress.stop();
  }
  const result = decoder.end();
  const seconds = decoder.written / clip.sampleRate;
  const bwfStart = clip.bwf ? bwfStartLabel(clip.bwf, result.rate) : null;
  const bwfCheck = clip.bwf ? checkBwfAgainstLtc(clip.bwf, result, clip.sampleRate) : null;
  const warnings = [...result.warnings, lowLevelWarning(result.levelDbfs), bwfCheck?.warning ?? null].filter((w): w is string => w !== null);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({
      file,
      channel: clip.channel,
      sampleRate: clip.sampleRate,
      rate: result.rate,
      rateName: result.rate ? rateName(result.rate) : null,
      levelDbfs: result.levelDbfs,
      bwfStartTimecode: bwfStart,
      bwfStartSeconds: clip.bwf?.startSeconds ?? null,
      bwfMinusLtcSeconds: bwfCheck ? -bwfCheck.differenceSeconds : null,
      continuous: result.continuous,
      frames: result.frames.map((f) => ({ timecode: f.timecode, sampleStart: f.sampleStart, userBits: f.userBits })),
      discontinuities: result.discontinuities,
      dropouts: result.dropouts,
      warnings,
    }, null, 2)}\n`);
    return result.frameCount > 0 ? 0 : 1;
  }
  const bwfLine = bwfStart ? [`  BWF start   ${bwfStart}`] : [];
  const { first, last } = result;
  if (!first || !last) {
    const lines = [`${file}: no LTC found on channel ${clip.channel} (${seconds.toFixed(1)} s at ${clip.sampleRate} Hz).`, ...bwfLine];
    process.stdout.write(`${lines.join('\n')}\n`);
    return 1;
  }
  const lines = [
    `${file}  channel ${clip.channel}, ${clip.sampleRate} Hz`,
    `  rate        ${result.rate ? rateName(result.rate) : 'unknown'}`,
    `  level       ${result.levelDbfs === null ? 'unknown' : `${result.levelDbfs.toFixed(1)} dBFS`}`,
    `  first       ${first.timecode} at sample ${position(first.sampleStart)}`,
    `  last        ${last.timecode} at sample ${position(last.sampleStart)}`,
    `  frames      ${result.frameCount}`,
    ...bwfLine,
    `  continuous  ${result.continuous ? 'yes' : 'no'}`,
  ];
  for (const d of result.discontinuities) lines.push(`  ${d.kind.padEnd(11)} ${d.from} → ${d.to} at sample ${d.atSample.toFixed(0)}`);
  for (const d of result.dropouts) lines.push(`  dropout     ${d.frames} frame${d.frames === 1 ? '' : 's'}, samples ${d.fromSample.toFixed(0)}–${d.toSample.toFixed(0)}`);
  for (const w of warnings) lines.push(`  WARN        ${w}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
