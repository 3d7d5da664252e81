import { PostError } from './errors.js';
import { hasTimecode, rowTimecode, type FrameIndex } from './frame-index.js';

/**
 * What part of a take trim and preview work on:
 * - `common`: the whole common window (every rig frame all aligned sensors share);
 * - `tc:HH:MM:SS:FF-HH:MM:SS:FF`: rig frames whose timecode lies in that range, both ends included (needs timecode);
 * - `frames:A-B`: rig frames A to B of the common window, both included, counted from 0.
 */
export type WindowSpec =
  | { kind: 'common' }
  | { kind: 'timecode'; in: string; out: string }
  | { kind: 'frames'; first: number; last: number };

/** Rows of the frame index, both ends included. */
export interface RowRange {
  first: number;
  last: number;
}

const TC = /^(\d{2}):(\d{2}):(\d{2})[:;.](\d{2})$/;

export function parseWindow(spec: string | WindowSpec | undefined): WindowSpec {
  if (spec === undefined || spec === '' || spec === 'common') return { kind: 'common' };
  if (typeof spec !== 'string') return spec;
  const s = spec.trim();
  if (s.startsWith('tc:')) {
    const m = /^tc:(\d{2}:\d{2}:\d{2}[:;.]\d{2})-(\d{2}:\d{2}:\d{2}[:;.]\d{2})$/.exec(s);
    if (!m) throw bad(spec, 'a timecode range is tc:HH:MM:SS:FF-HH:MM:SS:FF, e.g. tc:01:00:10:00-01:00:40:00');
    if (compareTimecode(m[1]!, m[2]!) > 0) throw bad(spec, `the range ends (${m[2]}) before it starts (${m[1]})`);
    return { kind: 'timecode', in: m[1]!, out: m[2]! };
  }
  if (s.startsWith('frames:')) {
    const m = /^frames:(\d+)-(\d+)$/.exec(s);
    if (!m) throw bad(spec, 'a rig frame range is frames:FIRST-LAST, e.g. frames:0-299');
    const first = Number(m[1]);
    const last = Number(m[2]);
    if (last < first) throw bad(spec, `the range ends (${last}) before it starts (${first})`);
    return { kind: 'frames', first, last };
  }
  throw bad(spec, 'expected common, tc:HH:MM:SS:FF-HH:MM:SS:FF or frames:FIRST-LAST');
}

function bad(spec: string | WindowSpec, why: string): PostError {
  return new PostError('K4S_BAD_WINDOW', `--window ${typeof spec === 'string' ? spec : windowText(spec)}: ${why}.`);
}

/** Orders two SMPTE timecodes (HH:MM:SS:FF, any frame separator). */
export function compareTimecode(a: string, b: string): number {
  const pa = TC.exec(a);
  const pb = TC.exec(b);
  if (!pa || !pb) throw new RangeError(`not a timecode: ${pa ? b : a}`);
  for (let i = 1; i <= 4; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  return 0;
}

/** The rows of the index a window covers. */
export function selectRows(index: FrameIndex, window: WindowSpec): RowRange {
  const all = { first: 0, last: index.rows - 1 };
  switch (window.kind) {
    case 'common':
      return all;
    case 'frames':
      if (window.last >= index.rows) {
        throw bad(window, `the common window of ${index.take} has rig frames 0 to ${index.rows - 1}`);
      }
      return { first: window.first, last: window.last };
    case 'timecode': {
      if (!hasTimecode(index)) {
        throw new PostError('K4S_NO_TIMECODE', `--window tc:${window.in}-${window.out}: ${index.take} has no timecode ` +
          '(the audit gives its frames none: it needs ltc.wav and host times recorded by k4sync). Use --window common, or frames:FIRST-LAST to pick rig frames.');
      }
      let first = -1;
      let last = -1;
      let firstTc: string | null = null;
      let lastTc: string | null = null;
      for (let k = 0; k < index.rows; k++) {
        const tc = rowTimecode(index, k);
        if (tc === null) continue;
        firstTc ??= tc;
        lastTc = tc;
        if (compareTimecode(tc, window.in) < 0 || compareTimecode(tc, window.out) > 0) continue;
        if (first < 0) first = k;
        last = k;
      }
      if (first < 0) {
        throw new PostError('K4S_BAD_WINDOW', `--window tc:${window.in}-${window.out}: no rig frame of ${index.take} has a timecode in that range (its common window runs from ${firstTc} to ${lastTc}).`);
      }
      return { first, last };
    }
  }
}

/** How a window is written in messages and take.json. */
export function windowText(window: WindowSpec): string {
  switch (window.kind) {
    case 'common': return 'common';
    case 'timecode': return `tc:${window.in}-${window.out}`;
    case 'frames': return `frames:${window.first}-${window.last}`;
  }
}
