import { spawnSync } from 'node:child_process';
import { tool } from '../helpers/platform.js';

/**
 * ffprobe and mkvinfo on a file; returns their complaints. The only notices allowed are the ones every Azure Kinect
 * recording gets, Microsoft's own included: ffprobe has no codec for S_K4A/IMU, custom subtitle tracks and the
 * calibration attachment.
 */
export function toolComplaints(file: string): string[] {
  const probe = spawnSync(tool('ffprobe'), ['-v', 'warning', '-show_entries', 'stream=codec_name', file], { encoding: 'utf8' });
  if (probe.error) throw new Error('ffprobe is needed for this test (apt-get install ffmpeg)');
  const info = spawnSync(tool('mkvinfo'), [file], { encoding: 'utf8' });
  if (info.error) throw new Error('mkvinfo is needed for this test (apt-get install mkvtoolnix)');
  const unavoidable =
    /Could not find codec parameters for stream \d+ \((Subtitle|Attachment): none\): unknown codec|Consider increasing the value for the 'analyzeduration'|Unsupported codec with id 0 for input stream \d+/;
  const complaints = probe.stderr.split('\n').filter((l) => l.trim() && !unavoidable.test(l));
  if (probe.status !== 0) complaints.push(`ffprobe exited ${probe.status}`);
  if (info.status !== 0) complaints.push(`mkvinfo exited ${info.status}: ${info.stderr}`);
  complaints.push(...info.stdout.split('\n').filter((l) => /error|warning/i.test(l)));
  return complaints;
}
