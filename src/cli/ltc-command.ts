import { readAudio } from '../timecode/audio.js';
import { decodeLtc } from '../timecode/ltc-decoder.js';
import type { LtcRate } from '../timecode/smpte.js';

export interface LtcFlags {
  channel?: number;
  fps?: LtcRate | 'auto';
  json?: boolean;
}

/** `k4sync ltc`: the timecode run of an audio file; exit 0 when LTC was found, 1 when none, 2 for bad input. */
export async function runLtc(file: string, flags: LtcFlags): Promise<number> {
  const clip = await readAudio(file, { channel: flags.channel ?? 0, ...(flags.fps && flags.fps !== 'auto' ? { fps: flags.fps } : {}) });
  const result = decodeLtc(clip.samples, clip.sampleRate, { fps: flags.fps ?? 'auto' });
  const frames = result.frames;
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({
      file,
      channel: clip.channel,
      sampleRate: clip.sampleRate,
      rate: result.rate,
      bwfStartTimecode: clip.bwf?.startTimecode ?? null,
      frames: frames.map((f) => ({ timecode: f.timecode, sampleStart: f.sampleStart, userBits: f.userBits })),
      discontinuities: result.discontinuities,
      dropouts: result.dropouts,
    }, null, 2)}\n`);
    return frames.length > 0 ? 0 : 1;
  }
  if (frames.length === 0) {
    process.stdout.write(`${file}: no LTC found on channel ${clip.channel} (${(clip.samples.length / clip.sampleRate).toFixed(1)} s at ${clip.sampleRate} Hz).\n`);
    return 1;
  }
  const first = frames[0]!;
  const last = frames[frames.length - 1]!;
  const lines = [
    `${file}  channel ${clip.channel}, ${clip.sampleRate} Hz`,
    `  rate        ${result.rate ?? 'unknown'}${first.dropFrame ? ' (drop-frame)' : ''}`,
    `  first       ${first.timecode} at sample ${first.sampleStart.toFixed(2)}`,
    `  last        ${last.timecode} at sample ${last.sampleStart.toFixed(2)}`,
    `  frames      ${frames.length}`,
  ];
  if (clip.bwf?.startTimecode) lines.push(`  BWF start   ${clip.bwf.startTimecode}`);
  if (result.discontinuities.length === 0) lines.push('  continuous  yes');
  for (const d of result.discontinuities) lines.push(`  ${d.kind.padEnd(11)} ${d.from} → ${d.to} at sample ${d.atSample.toFixed(0)}`);
  for (const d of result.dropouts) lines.push(`  dropout     samples ${d.fromSample.toFixed(0)}–${d.toSample.toFixed(0)}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
