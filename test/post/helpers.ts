import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32 } from 'node:zlib';
import { clusterRuns } from '../../src/post/blocks.js';
import { children, ID, readHeader, readUint } from '../../src/post/ebml.js';
import { FileSource, readRecording } from '../../src/recording/index.js';
import { toolComplaints } from '../capture/take-tools.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const SAMPLES = join(ROOT, 'samples');

const made: string[] = [];

/** A fresh temporary folder, removed by `cleanTemp`. */
export function tempDir(label: string): string {
  const d = mkdtempSync(join(tmpdir(), `k4sync-post-${label}-`));
  made.push(d);
  return d;
}

export function cleanTemp(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** ffprobe's and mkvinfo's complaints, with the addresses and repeat counts ffmpeg prints taken out so files can be compared. */
export function complaints(file: string): string[] {
  return toolComplaints(file).map((l) => l.replace(/ @ 0x[0-9a-f]+/g, '').replace(/repeated \d+ times/, 'repeated N times'));
}

/** Every CRC-32 element of a file's clusters and Tags, checked: the list of places where it does not match. */
export function badCrcs(file: string): string[] {
  const src = new FileSource(file);
  try {
    const { layout } = readRecording(file, { imuSamples: false });
    const bad: string[] = [];
    const check = (start: number, end: number, what: string) => {
      const first = readHeader(src, start, end);
      if (!first || first.id !== ID.CRC32 || first.size !== 4) {
        bad.push(`${what}: no CRC-32 first`);
        return;
      }
      const stored = Buffer.from(src.read(first.dataStart, 4)).readUInt32LE(0);
      const body = src.read(first.dataStart + 4, end - first.dataStart - 4).slice();
      if (crc32(body) >>> 0 !== stored) bad.push(`${what}: CRC-32 does not match`);
    };
    for (const t of layout.headerElements.filter((e) => e.id === ID.Tags)) check(t.dataStart, t.end, `Tags at ${t.start}`);
    for (const c of clusterRuns(src, file)) {
      const h = readHeader(src, c.start, src.size)!;
      check(h.dataStart, h.dataStart + h.size!, `Cluster at ${c.start}`);
    }
    return bad;
  } finally {
    src.close();
  }
}

/** Cue points: time and the cluster they point at (segment-relative position resolved to a file offset). */
export function cuePoints(file: string): { time: number; clusterAt: number; pointsAtCluster: boolean; clusterTicks: number | null }[] {
  const src = new FileSource(file);
  try {
    const { segment } = readRecording(file, { imuSamples: false }).layout;
    const seg = segment.dataStart;
    const segmentEnd = segment.size ? Math.min(src.size, seg + segment.size) : src.size;
    let pos = seg;
    const out: ReturnType<typeof cuePoints> = [];
    while (pos < segmentEnd) {
      const h = readHeader(src, pos, segmentEnd);
      if (!h || h.size === null) break;
      if (h.id === ID.Cues) {
        for (const p of children(src, h.dataStart, h.dataStart + h.size)) {
          const kids = children(src, p.dataStart, p.end);
          const time = readUint(src.read(kids.find((k) => k.id === ID.CueTime)!.dataStart, kids.find((k) => k.id === ID.CueTime)!.size));
          const tp = kids.find((k) => k.id === ID.CueTrackPositions)!;
          const posEl = children(src, tp.dataStart, tp.end).find((k) => k.id === ID.CueClusterPosition)!;
          const clusterAt = seg + readUint(src.read(posEl.dataStart, posEl.size));
          const c = readHeader(src, clusterAt, segmentEnd);
          const ts = c && c.size !== null ? children(src, c.dataStart, c.dataStart + c.size).find((k) => k.id === ID.Timestamp) : undefined;
          out.push({ time, clusterAt, pointsAtCluster: c?.id === ID.Cluster, clusterTicks: ts ? readUint(src.read(ts.dataStart, ts.size)) : null });
        }
      }
      pos = h.dataStart + h.size;
    }
    return out;
  } finally {
    src.close();
  }
}
