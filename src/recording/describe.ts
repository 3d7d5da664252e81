import type { RecordingSummary } from './summary.js';

function mb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(2)} MB`;
}

function us(v: number | null): string {
  return v === null ? '—' : `${v} µs`;
}

/** `k4sync info` as a crew reads it: what the sensor was set to, what the file holds, what is wrong. */
export function describeRecording(s: RecordingSummary): string {
  const c = s.configuration;
  const lines: string[] = [];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(10)} ${value}`);
  lines.push(`${s.file}  (${mb(s.fileSize)}, ${s.writingApp ?? 'unknown writer'}${s.dateUtc ? `, created ${s.dateUtc}` : ''})`);
  row('sensor', `${s.device.serial ?? 'serial unknown'}  firmware colour ${s.device.colorFirmware ?? '?'}, depth ${s.device.depthFirmware ?? '?'}`);
  const delays = [`depth delay ${c.depthDelayOffColorUs} µs`];
  if (c.wiredSyncMode === 'SUBORDINATE') delays.unshift(`subordinate delay ${c.subordinateDelayOffMasterUs} µs`);
  row('sync', `${c.wiredSyncMode}  (${delays.join(', ')})`);
  const colour = c.colorTrackEnabled ? `${c.colorFormat ?? '?'} ${c.colorResolution ?? '?'}` : 'off';
  const depth = c.depthMode ?? (c.depthTrackEnabled || c.irTrackEnabled ? '?' : 'off');
  row('modes', `colour ${colour}, depth ${depth}, ${c.cameraFps ?? '?'} fps, IMU ${c.imuTrackEnabled ? 'on' : 'off'}`);
  const source = { tag: 'from K4A_START_OFFSET_NS', imu: 'recovered from the first IMU sample', none: 'unknown: timestamps are relative' }[s.startOffset.source];
  row('start', `offset ${s.startOffset.us} µs (${source})`);
  s.tracks.forEach((t, i) => {
    const unit = t.builtin === 'IMU' ? 'samples' : t.builtin ? 'frames' : 'blocks';
    const kind = t.builtin ? '' : ` (custom, ${t.codecId})`;
    const span = t.firstDeviceTimestampUs === null ? '' : `  ${us(t.firstDeviceTimestampUs)} … ${us(t.lastDeviceTimestampUs)}`;
    row(i === 0 ? 'tracks' : '', `${(t.name || `#${t.number}`).padEnd(8)}${String(t.frames).padStart(7)} ${unit}${kind}${span}`);
  });
  row('duration', `${s.durationUs === null ? '—' : `${(s.durationUs / 1e6).toFixed(3)} s`} of device time; ${s.finalized ? 'finalized' : 'NOT finalized'}${s.truncatedAt !== null ? `, cut short at byte ${s.truncatedAt}` : ''}`);
  if (s.calibration) row('calibration', `${s.calibration.fileName} (${s.calibration.bytes} bytes${s.calibration.parsed ? '' : ', not valid JSON'})`);
  s.warnings.forEach((w, i) => row(i === 0 ? 'warnings' : '', `${w.code}: ${w.message}`));
  return lines.join('\n');
}
