import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRecording } from '../../src/recording/index.js';
import { k4sync } from './cli.js';
import { childrenOf, colorFrames, DAISY_RIG, eventually, interrupt, isRunning, leftovers, scratch, sizeOf, snapshot, start, waitFor } from './files.js';
import { linuxOnlySuite } from '../helpers/platform.js';

/**
 * Ctrl-C in the middle of the work (issue 11): one line, exit 130, no temporary file or folder left, no ffmpeg left
 * running. Each test waits for a readiness signal (the temporary output appearing with bytes in it, the first rows on
 * stdout) before it sends SIGINT, and listens for the exit from the moment it spawns.
 */

const dir = scratch('interrupt');
/** A take long enough that trim, preview and index are still busy when the signal arrives. */
const long = join(dir, 'long');
beforeAll(() => {
  const r = k4sync('simulate', DAISY_RIG, '--out', long, '--frames', '6000');
  if (r.status !== 0) throw new Error(`simulate failed: ${r.stderr}`);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A new, empty folder for one command's output, so what is left in it afterwards is that command's. */
function outFolder(name: string): string {
  const p = join(dir, name);
  mkdirSync(p);
  return p;
}

/** The temporary entry src/output made for `name` in `parent`, if it exists yet. */
function temporary(parent: string, name: string): string | undefined {
  const t = readdirSync(parent).find((n) => n.startsWith(`.${name}.k4sync-`));
  return t === undefined ? undefined : join(parent, t);
}

linuxOnlySuite('SIGINT sent to the CLI: Windows ends a child it signals without running its handlers')('Ctrl-C: one line, exit 130, nothing left behind', () => {
  it('simulate: the take being written is removed whole', async () => {
    const parent = outFolder('simulate');
    const run = start(['simulate', DAISY_RIG, '--out', join(parent, 'take'), '--frames', '200000']);
    await waitFor(run, 'recordings in the temporary take folder', () => {
      const t = temporary(parent, 'take');
      return t !== undefined && sizeOf(join(t, '000100000001.mkv')) > 0;
    });
    await interrupt(run);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('trim: the trimmed take being written is removed whole, the source untouched', async () => {
    const source = snapshot(long);
    const parent = outFolder('trim');
    const run = start(['trim', long, '--out', join(parent, 'cut')]);
    await waitFor(run, 'a recording being trimmed', () => {
      const t = temporary(parent, 'cut');
      return t !== undefined && sizeOf(join(t, '000100000001.mkv.partial')) > 0;
    });
    await interrupt(run);
    expect(readdirSync(parent)).toEqual([]);
    expect(snapshot(long)).toEqual(source);
  });

  it('preview: ffmpeg is stopped, its partial video and the extracted frames are removed', async () => {
    const parent = outFolder('preview');
    const run = start(['preview', long, '-o', join(parent, 'check.mp4')]);
    await waitFor(run, 'ffmpeg writing the video', () => temporary(parent, 'check') !== undefined);
    const ffmpeg = childrenOf(run.child.pid!).filter((c) => c.comm === 'ffmpeg');
    expect(ffmpeg).toHaveLength(1);
    // The frames ffmpeg reads were copied out of the recordings into a temporary folder of their own.
    const cmdline = readFileSync(`/proc/${ffmpeg[0]!.pid}/cmdline`, 'utf8').split('\0');
    const frames = cmdline.find((a) => a.endsWith('sensor-0.mjpeg'))!.replace(/^file:/, '').replace(/\/sensor-0\.mjpeg$/, '');
    expect(existsSync(frames)).toBe(true);
    await interrupt(run);
    // SIGKILL is sent before k4sync exits; the kernel ends ffmpeg a moment later.
    await eventually('end of ffmpeg', () => !isRunning(ffmpeg[0]!.pid));
    expect(readdirSync(parent)).toEqual([]);
    expect(existsSync(frames)).toBe(false);
  });

  it('index: stops streaming rows', async () => {
    const run = start(['index', long], { readStdout: false });
    let first = 0;
    // Read the first rows, then no more: the pipe fills and index waits for it to drain, still running.
    run.child.stdout!.once('data', (d: Buffer) => {
      first = d.length;
      run.child.stdout!.pause();
    });
    await waitFor(run, 'the first rows on stdout', () => first > 0);
    await interrupt(run);
    expect(leftovers(dir)).toEqual([]);
  });
});

linuxOnlySuite('SIGTERM sent to the CLI: Windows ends a child it signals without running its handlers')('record is never thrown away', () => {
  it('SIGTERM, like Ctrl-C, stops the take and finalizes every file in place (exit 1)', async () => {
    const out = join(outFolder('record'), 'take-0001');
    const run = start(['record', '--simulate', DAISY_RIG, '--yes', '--frames', '10000000', '--out', out]);
    // Ready: every sensor's file, read back while it is written, holds frames (a stop before a sensor's first frame
    // leaves that file empty and unfinalized, which record reports as a fault: another test's business).
    const files = ['000100000001.mkv', '000100000002.mkv', '000100000003.mkv'].map((f) => join(out, f));
    await waitFor(run, 'frames in every recording', () => files.every((f) => colorFrames(f) > 0));
    run.child.kill('SIGTERM');
    const { code, signal } = await run.exited;
    expect(signal, run.stderr()).toBeNull();
    expect(code, run.stderr()).toBe(1);
    expect(run.stderr()).toContain('Stopping: finalizing every file');
    for (const file of files) {
      const rec = readRecording(file);
      expect(rec.finalized, file).toBe(true);
      expect(rec.color!.length, file).toBeGreaterThan(0);
    }
    expect(JSON.parse(readFileSync(join(out, 'take.json'), 'utf8')).stopReason).toMatch(/^stopped: /);
    expect(leftovers(out)).toEqual([]);
  });
});
