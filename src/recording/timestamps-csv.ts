import type { Recording } from './types.js';

export type TimestampTrack = 'COLOR' | 'DEPTH' | 'IR' | 'IMU';
export const TIMESTAMP_TRACKS: readonly TimestampTrack[] = ['COLOR', 'DEPTH', 'IR', 'IMU'];
export const TIMESTAMPS_CSV_HEADER = 'track,index,device_timestamp_us';

const ROWS_PER_CHUNK = 8192;

/**
 * The `k4sync timestamps` CSV, in chunks so that a long take streams to stdout without building one
 * huge string: COLOR, DEPTH and IR blocks then IMU samples (accelerometer time), each in file order.
 */
export function* timestampsCsv(rec: Recording, only?: TimestampTrack): Generator<string> {
  yield `${TIMESTAMPS_CSV_HEADER}\n`;
  const series: [TimestampTrack, Float64Array | null | undefined][] = [
    ['COLOR', rec.color], ['DEPTH', rec.depth], ['IR', rec.ir], ['IMU', rec.imu?.accTimestampsUs],
  ];
  for (const [name, times] of series) {
    if (!times || (only && only !== name)) continue;
    for (let start = 0; start < times.length; start += ROWS_PER_CHUNK) {
      const rows: string[] = [];
      const end = Math.min(times.length, start + ROWS_PER_CHUNK);
      for (let i = start; i < end; i++) rows.push(`${name},${i},${times[i]}\n`);
      yield rows.join('');
    }
  }
}
