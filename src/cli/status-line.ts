import { statSync } from 'node:fs';
import { freeBytes } from '../capture/record.js';
import type { NativeSensorStats } from '../capture/native.js';

/**
 * The live status of a take on a TTY: per sensor frames, fps, drops and lag against the others, then disk rate, free
 * space and time left. Drops are read from device timestamps: frames the span says should be there but are not.
 */
export function statusLine(files: string[], dir: string, fps: number): { update(stats: NativeSensorStats[]): void; end(): void } {
  if (!process.stderr.isTTY) return { update() {}, end() {} };
  const periodUs = 1e6 / fps;
  let last = { at: Date.now(), bytes: 0, frames: new Map<string, number>() };
  let lines = 0;
  return {
    update(stats) {
      const now = Date.now();
      const bytes = files.reduce((n, f) => {
        try {
          return n + statSync(f).size;
        } catch {
          return n;
        }
      }, 0);
      const seconds = Math.max(0.001, (now - last.at) / 1000);
      const newest = Math.max(...stats.map((s) => s.lastDeviceUs));
      const out = stats.map((s) => {
        const expected = s.frames > 0 ? Math.round((s.lastDeviceUs - s.firstDeviceUs) / periodUs) + 1 : 0;
        const rate = (s.frames - (last.frames.get(s.serial) ?? 0)) / seconds;
        const lag = s.frames > 0 ? (newest - s.lastDeviceUs) / 1000 : 0;
        return `${s.serial}  ${s.state.padEnd(9)} ${String(s.frames).padStart(7)} frames  ${rate.toFixed(1).padStart(5)} fps  ${String(Math.max(0, expected - s.frames)).padStart(4)} dropped  lag ${lag.toFixed(1)} ms`;
      });
      const rate = (bytes - last.bytes) / seconds / 1e6;
      const free = freeBytes(dir);
      const left = free !== null && rate > 0 ? ` (${(free / 1e6 / rate / 60).toFixed(0)} min left)` : '';
      out.push(`disk ${rate.toFixed(1)} MB/s, ${free === null ? '?' : (free / 1e9).toFixed(1)} GB free${left}`);
      process.stderr.write(`${lines ? `\x1b[${lines}A` : ''}${out.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
      lines = out.length;
      last = { at: now, bytes, frames: new Map(stats.map((s) => [s.serial, s.frames])) };
    },
    end() {
      lines = 0;
    },
  };
}
