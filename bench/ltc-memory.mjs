// Peak memory of `k4sync ltc` on a large RF64 sound roll (issue 14: under 200 MB whatever the length).
// Writes a 2 GiB RF64 (8 channels, 24-bit, 48 kHz, about 31 minutes) with 25 fps LTC on channel 0, runs the built
// CLI on it and reads the process's own peak RSS. Run after `npm run build`; `node bench/ltc-memory.mjs [GiB]`.
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeLtc } from '../dist/src/timecode/ltc-encoder.js';
import { framesToTimecode } from '../dist/src/timecode/smpte.js';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const LIMIT_MB = 200;
const RATE = 48000;
const CHANNELS = 8;
const BYTES = 3;
const FRAMES_PER_CHUNK = 1500; // one minute at 25 fps: 1920 samples a frame, so the chunks join without a seam

/** The RF64 header: ds64 carries the sizes a 32-bit RIFF cannot. */
function header(dataBytes) {
  const b = Buffer.alloc(12 + 36 + 24 + 8);
  b.write('RF64', 0);
  b.writeUInt32LE(0xffffffff, 4);
  b.write('WAVE', 8);
  b.write('ds64', 12);
  b.writeUInt32LE(28, 16);
  b.writeBigUInt64LE(BigInt(b.length - 8 + dataBytes), 20);
  b.writeBigUInt64LE(BigInt(dataBytes), 28);
  b.writeBigUInt64LE(BigInt(dataBytes / (CHANNELS * BYTES)), 36);
  b.writeUInt32LE(0, 44);
  b.write('fmt ', 48);
  b.writeUInt32LE(16, 52);
  b.writeUInt16LE(1, 56);
  b.writeUInt16LE(CHANNELS, 58);
  b.writeUInt32LE(RATE, 60);
  b.writeUInt32LE(RATE * CHANNELS * BYTES, 64);
  b.writeUInt16LE(CHANNELS * BYTES, 68);
  b.writeUInt16LE(BYTES * 8, 70);
  b.write('data', 72);
  b.writeUInt32LE(0xffffffff, 76);
  return b;
}

export function writeRf64(path, gib) {
  const perChunk = FRAMES_PER_CHUNK * 1920;
  const chunks = Math.max(1, Math.round((gib * 2 ** 30) / (perChunk * CHANNELS * BYTES)));
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header(chunks * perChunk * CHANNELS * BYTES));
    const block = Buffer.alloc(perChunk * CHANNELS * BYTES);
    for (let c = 0; c < chunks; c++) {
      const start = framesToTimecode(10 * 3600 * 25 + c * FRAMES_PER_CHUNK, '25');
      const { samples } = encodeLtc({ start, frames: FRAMES_PER_CHUNK, rate: '25', sampleRate: RATE, amplitude: 0.25 });
      for (let i = 0; i < perChunk; i++) block.writeIntLE(Math.round(samples[i] * 8388607), i * CHANNELS * BYTES, BYTES);
      writeSync(fd, block);
    }
  } finally {
    closeSync(fd);
  }
  return chunks * FRAMES_PER_CHUNK;
}

/** Runs `k4sync ltc` on a generated RF64 of `gib` GiB; returns its frames, seconds and peak RSS. */
export function ltcMemory(gib = 2) {
  const dir = mkdtempSync(join(tmpdir(), 'k4sync-ltc-bench-'));
  try {
    const file = join(dir, 'roll.wav');
    const frames = writeRf64(file, gib);
    const t0 = process.hrtime.bigint();
    // /usr/bin/time is not everywhere; the child reports its own peak RSS (kB) as it exits. VmHWM, where Linux has it:
    // getrusage's maxRSS also counts the forked copy of this process before its exec, so a bench that has read a
    // large take itself would be charged for it.
    const report = 'import { readFileSync } from "node:fs"; process.on("exit", () => { let kb = process.resourceUsage().maxRSS; try { kb = Number(/VmHWM:\\s+(\\d+)/.exec(readFileSync("/proc/self/status", "utf8"))[1]); } catch {} process.stderr.write(`maxRSS ${kb}\\n`); });';
    const r = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(report)}`, join(root, 'dist/bin/k4sync.js'), 'ltc', file], { encoding: 'utf8' });
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const peakKb = Number(/maxRSS (\d+)/.exec(r.stderr)?.[1] ?? NaN);
    const decoded = Number(/frames\s+(\d+)/.exec(r.stdout)?.[1] ?? NaN);
    return { gib, frames, decoded, seconds, peakMb: peakKb / 1024, status: r.status, continuous: /continuous\s+yes/.test(r.stdout) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function printLtcMemory(m) {
  console.log(`\nk4sync ltc on a ${m.gib} GiB RF64 (8 ch, 24-bit, 48 kHz, LTC on channel 0): ${m.decoded}/${m.frames} frames, ${m.seconds.toFixed(1)} s, peak RSS ${m.peakMb.toFixed(0)} MiB`);
  const ok = m.status === 0 && m.decoded === m.frames && m.continuous && m.peakMb < LIMIT_MB;
  console.log(`  ${ok ? 'met    ' : 'MISSED '} every frame, continuous, peak memory under ${LIMIT_MB} MB (issue 14)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) printLtcMemory(ltcMemory(Number(process.argv[2] ?? 2)));
