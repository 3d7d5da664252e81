import { EPOCH_CLOCK_MIN_US, epochDate, familyName } from './device-family.js';
import type { RecordingSummary } from './summary.js';

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(2)} MB`;
}

function us(v: number | null): string {
  return v === null ? '—' : `${v} µs`;
}

/** Closed by its writer, or readable to its end after its last flush, and the evidence either way. */
function ending(s: RecordingSummary): string {
  const e = s.ending;
  if (e.state === 'closed') return 'finalized: closed by its writer (Segment size, Cues and start offset written)';
  const why = [
    e.segmentSize === 'stale' ? 'Segment size from an earlier flush' : e.segmentSize === 'spans-data' ? null : `Segment size ${e.segmentSize}`,
    e.cues ? null : 'no Cues after the last cluster',
    e.startOffsetTag ? null : `start offset ${s.startOffset.source === 'imu' ? 'recovered from the first IMU sample' : 'missing'}`,
  ].filter((x): x is string => x !== null);
  const head = e.state === 'never-flushed'
    ? 'NOT finalized: stopped before its first flush'
    : 'NOT finalized: stopped after its last flush, readable to its end';
  const past = s.pastIndex && e.state === 'after-flush'
    ? `; ${s.pastIndex.frames} frames and ${s.pastIndex.imuSamples} IMU samples past the last index (from byte ${s.pastIndex.fromByte})`
    : '';
  return `${head} (${why.join(', ')})${past}`;
}

/** `k4sync info` as a crew reads it: what the sensor was set to, what the file holds, what is wrong. */
export function describeRecording(s: RecordingSummary): string {
  const c = s.configuration;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(10)} ${value}`);
  lines.push(`${s.file}  (${mb(s.fileSize)}, ${s.writingApp ?? 'unknown writer'}${s.dateUtc ? `, created ${s.dateUtc}` : ''})`);
  row('sensor', `${s.device.serial ?? 'serial unknown'}  ${familyName(s.device.family)}, firmware colour ${s.device.colorFirmware ?? '?'}, depth ${s.device.depthFirmware ?? '?'}`);
  const delays = [`depth delay ${c.depthDelayOffColorUs} µs`];
  if (c.wiredSyncMode === 'SUBORDINATE') delays.unshift(`subordinate delay ${c.subordinateDelayOffMasterUs} µs`);
  row('sync', `${c.wiredSyncMode}  (${delays.join(', ')})`);
  const colour = c.colorTrackEnabled ? `${c.colorFormat ?? '?'} ${c.colorResolution ?? '?'}` : 'off';
  const depth = c.depthMode ?? (c.depthTrackEnabled || c.irTrackEnabled ? '?' : 'off');
  row('modes', `colour ${colour}, depth ${depth}, ${c.cameraFps ?? '?'} fps, IMU ${c.imuTrackEnabled ? 'on' : 'off'}`);
  const source = { tag: 'from K4A_START_OFFSET_NS', imu: 'recovered from the first IMU sample', none: 'unknown: timestamps are relative' }[s.startOffset.source];
  // An epoch clock's offset reads as a date: that is what it is.
  const epoch = s.startOffset.us >= EPOCH_CLOCK_MIN_US ? `, the clock counts from the Unix epoch: ${epochDate(s.startOffset.us)}` : '';
  row('start', `offset ${s.startOffset.us} µs (${source}${epoch})`);
  s.tracks.forEach((t, i) => {
    const unit = t.builtin === 'IMU' ? 'samples' : t.builtin ? 'frames' : 'blocks';
    const kind = t.builtin ? '' : ` (custom, ${t.codecId})`;
    const span = t.firstDeviceTimestampUs === null ? '' : `  ${us(t.firstDeviceTimestampUs)} … ${us(t.lastDeviceTimestampUs)}`;
    row(i === 0 ? 'tracks' : '', `${(t.name || `#${t.number}`).padEnd(8)}${String(t.frames).padStart(7)} ${unit}${kind}${span}`);
  });
  row('duration', `${s.durationUs === null ? '—' : `${(s.durationUs / 1e6).toFixed(3)} s`} of device time${s.truncatedAt !== null ? `; cut short at byte ${s.truncatedAt}` : ''}`);
  row('ending', ending(s));
  if (s.imu && s.imu.gaps.length > 0) {
    const missing = s.imu.gaps.reduce((n, g) => n + g.missing, 0);
    row('imu', `${missing} samples missing in ${s.imu.gaps.length} gap${s.imu.gaps.length === 1 ? '' : 's'}, the first after ${us(s.imu.gaps[0]!.lastUs)}`);
  }
  if (s.calibration) row('calibration', `${s.calibration.fileName} (${s.calibration.bytes} bytes${s.calibration.parsed ? '' : ', not valid JSON'})`);
  s.warnings.forEach((w, i) => row(i === 0 ? 'warnings' : '', `${w.code}: ${w.message}`));
  return lines.join('\n');
}
