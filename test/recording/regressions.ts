/**
 * Inputs that once made the reader throw something other than a RecordingError, or hang. Each stays here,
 * as hex, so the fix cannot quietly regress. Add new ones from fast-check's counterexamples.
 */
export const REGRESSIONS: { why: string; hex: string }[] = [
  // A Segment whose declared size is a vint of all ones except the marker: unknown size, empty file after it.
  { why: 'unknown-size Segment at end of file', hex: '1a45dfa39f4286810142f7810142f2810442f381084282886d6174726f736b6118538067ff' },
];
