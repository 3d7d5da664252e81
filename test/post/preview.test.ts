import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildFrameIndex, loadTake, renderPreview, rowTimecode, type PreviewResult } from '../../src/post/index.js';
import { runPreview } from '../../src/cli/post-commands.js';
import { mosaicGraph, timecodeCommands } from '../../src/post/preview.js';
import { SDK_WRITTEN } from '../fixtures.js';
import { cleanTemp, SAMPLES, tempDir } from './helpers.js';
import { tool } from '../helpers/platform.js';

afterAll(cleanTemp);

interface Probed {
  codec_name: string;
  pix_fmt: string;
  width: number;
  height: number;
  r_frame_rate: string;
  nb_read_frames: string;
  duration: string;
}

function probe(file: string): Probed {
  const r = spawnSync(tool('ffprobe'), ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries',
    'stream=codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames,duration', '-of', 'json', file], { encoding: 'utf8' });
  if (r.error) throw new Error('ffprobe is needed for this test (apt-get install ffmpeg)');
  return (JSON.parse(r.stdout) as { streams: Probed[] }).streams[0]!;
}

/** Mean RGB of a region of frame n. */
function meanRgb(file: string, n: number, x: number, y: number, w: number, h: number): [number, number, number] {
  const r = spawnSync(tool('ffmpeg'), ['-v', 'error', '-i', file, '-vf', `select=eq(n\\,${n}),crop=${w}:${h}:${x}:${y},scale=1:1:flags=area`,
    '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1']);
  const b = r.stdout as Buffer;
  return [b[0]!, b[1]!, b[2]!];
}

describe('the sync-check preview of samples/daisy-chain', () => {
  let out: string;
  let result: PreviewResult;
  beforeAll(async () => {
    out = join(tempDir('preview'), 'sync-check.mp4');
    result = await renderPreview(join(SAMPLES, 'daisy-chain'), out);
  }, 120_000);

  it('has one video frame per rig frame of the window, at the rig frame rate: H.264, yuv420p', async () => {
    const rows = buildFrameIndex(await loadTake(join(SAMPLES, 'daisy-chain'))).rows;
    const p = probe(out);
    expect(p.codec_name).toBe('h264');
    expect(p.pix_fmt).toBe('yuv420p');
    expect(Number(p.nb_read_frames)).toBe(rows);
    expect(p.r_frame_rate).toBe('30/1');
    expect(Number(p.duration)).toBeCloseTo(rows / 30, 2);
    // Three 640×360 tiles in a 2×2 grid.
    expect([p.width, p.height]).toEqual([1280, 720]);
    expect(result).toMatchObject({ frames: rows, fps: 30, sensors: ['000100000001', '000100000002', '000100000003'], dropped: { '000100000002': 3 }, labelled: true });
  });

  it('shows a dropped frame as a marked black tile, in place, and the other sensors\' frames beside it', () => {
    // Rig frames 120–122 of 000100000002 (top right) were dropped; frames 119 and 123 are its own. The tile's
    // right edge is the red frame of the mark, its middle black; a picture is grey there.
    for (const n of [120, 121, 122]) {
      const [r, g, b] = meanRgb(out, n, 1280 - 8, 120, 6, 120);
      expect(r).toBeGreaterThan(150);
      expect(Math.max(g, b)).toBeLessThan(60);
      expect(Math.max(...meanRgb(out, n, 700, 300, 100, 40))).toBeLessThan(30);
    }
    for (const n of [119, 123]) {
      const [r, g] = meanRgb(out, n, 1280 - 8, 120, 6, 120);
      expect(Math.abs(r - g)).toBeLessThan(15);
      expect(g).toBeGreaterThan(80);
    }
    // The master's tile is a picture at rig frame 121.
    const [r, g] = meanRgb(out, 121, 640 - 8, 120, 6, 120);
    expect(Math.abs(r - g)).toBeLessThan(15);
    expect(g).toBeGreaterThan(80);
  });
});

describe('preview of part of a take', () => {
  it('--window frames:A-B renders those rig frames only', async () => {
    const out = join(tempDir('preview-sub'), 'part.mp4');
    const r = await renderPreview(join(SAMPLES, 'generator-clean'), out, { window: 'frames:10-39' });
    expect(r.frames).toBe(30);
    const p = probe(out);
    expect(Number(p.nb_read_frames)).toBe(30);
    expect(Number(p.duration)).toBeCloseTo(1, 2);
    expect([p.width, p.height]).toEqual([1280, 720]);
  }, 120_000);

  it('labels each frame with its own timecode: 25 fps LTC on a 30 fps rig changes label exactly where the index does', async () => {
    const take = await loadTake(join(SDK_WRITTEN, 'daisy-clean'));
    const timeline = take.timeline!;
    // 25 fps timecode on a 30 fps rig (10:00:00:00 at the window's start): a counter at the camera rate would be
    // wrong from the second frame on.
    timeline.timecodeRate = 25;
    for (const s of timeline.sensors) {
      s.timecodeFrames = Float64Array.from(s.colorOnReference, (us) => 900000 + Math.floor(((us - timeline.window.startUs) / 1e6) * 25));
    }
    const out = join(tempDir('preview-tc'), 'tc.mp4');
    const r = await renderPreview(take, out, { window: 'frames:0-23' });
    expect(r.frames).toBe(24);
    const index = buildFrameIndex(take);
    const expected = Array.from({ length: 24 }, (_, k) => rowTimecode(index, k));
    // The first tile's timecode line (line 2 of its labels), every frame as grey bytes.
    const w = 200;
    const h = 34;
    const raw = spawnSync(tool('ffmpeg'), ['-v', 'error', '-i', out, '-vf', `crop=${w}:${h}:0:64`, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 26 }).stdout;
    expect(raw.length).toBe(24 * w * h);
    const frame = (k: number) => raw.subarray(k * w * h, (k + 1) * w * h);
    const changed = (k: number) => frame(k).reduce((sum, v, i) => sum + Math.abs(v - frame(k - 1)[i]!), 0) / (w * h) > 0.5;
    for (let k = 1; k < 24; k++) expect(changed(k), `frame ${k}: ${expected[k - 1]} → ${expected[k]}`).toBe(expected[k] !== expected[k - 1]);
    // Both kinds of step occur: a repeated timecode and a new one.
    expect(expected.some((tc, k) => k > 0 && tc === expected[k - 1])).toBe(true);
  }, 120_000);

  it('k4sync preview prints what it wrote (runPreview); a bad window is an input error (exit 2)', async () => {
    const out = join(tempDir('preview-cmd'), 'p.mp4');
    const written: string[] = [];
    const o = vi.spyOn(process.stdout, 'write').mockImplementation((c) => (written.push(String(c)), true));
    const e = vi.spyOn(process.stderr, 'write').mockImplementation((c) => (written.push(String(c)), true));
    try {
      expect(await runPreview(join(SAMPLES, 'daisy-chain'), { out, window: 'frames:118-125' })).toBe(0);
      await expect(runPreview(join(SAMPLES, 'daisy-chain'), { out: join(tempDir('preview-cmd'), 'q.mp4'), window: 'tc:00:00:00:00-00:00:01:00' }))
        .rejects.toMatchObject({ code: 'K4S_NO_TIMECODE', kind: 'input' });
    } finally {
      o.mockRestore();
      e.mockRestore();
    }
    const text = written.join('');
    expect(text).toContain('8 frames');
    expect(text).toContain('000100000002 3');
    expect(existsSync(out)).toBe(true);
  }, 120_000);
});

describe('the timecode command file', () => {
  it('sets every frame\'s text half a frame before it, drop-frame kept, colons escaped, unknown said', () => {
    expect(timecodeCommands('tc0', ['01:02:03;04', null, '01:02:03;05'], 30).split('\n')).toEqual([
      "0.000000 drawtext@tc0 reinit 'text=TC 01\\:02\\:03;04';",
      "0.016667 drawtext@tc0 reinit 'text=TC unknown';",
      "0.050000 drawtext@tc0 reinit 'text=TC 01\\:02\\:03;05';",
      '',
    ]);
  });
});

describe('the mosaic filter graph', () => {
  it('stacks tiles in a grid and labels them with serial, rig frame and timecode', () => {
    const g = mosaicGraph([{ label: 'A (master)', w: 640, h: 360 }, { label: 'B (subordinate)', w: 480, h: 360 }, { label: 'C (subordinate)', w: 640, h: 360 }], {
      tileW: 640, tileH: 360, fps: 30, firstRigFrame: 12, timecodeFiles: ['/t/a.cmd', '/t/b.cmd', 'C:/t/c.cmd'], labelled: true,
    });
    expect(g).toContain('xstack=inputs=3:layout=0_0|640_0|0_360:fill=black[mosaic]');
    expect(g).toContain('[1:v]scale=480:360,pad=640:360');
    expect(g).toContain("text='rig %{eif\\:round(t*30)+12\\:d}'");
    // Each tile's timecode text is set frame by frame from its own command file.
    expect(g).toContain("sendcmd=f=/t/a.cmd,drawtext@tc0=text='TC'");
    expect(g).toContain("sendcmd=f=/t/b.cmd,drawtext@tc1=text='TC'");
    expect(g).toContain('sendcmd=f=C\\\\:/t/c.cmd,drawtext@tc2');
    const single = mosaicGraph([{ label: 'A', w: 640, h: 360 }], { tileW: 640, tileH: 360, fps: 15, firstRigFrame: 0, timecodeFiles: null, labelled: false });
    expect(single).not.toContain('drawtext');
    expect(single).toContain('[t0]null[mosaic]');
  });
});
