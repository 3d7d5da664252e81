/**
 * The one table of timecode rates: every rate the LTC decoder names, BWF/iXML declares, smpte.ts counts labels for
 * and the CLI accepts. Nothing else in src/ spells a rate's ratio or its drop-frame flag. It loads nothing, so bin/
 * validates `ltc --fps` with it at start-up (the start-up budget of issue 15).
 *
 * Each rate is its real frame rate as a ratio (num / den frames a second) and whether its labels count the
 * drop-frame way; the labels per timecode second are the ratio rounded (24 for 23.976), and smpte.ts derives
 * drop-frame counting from that alone.
 */
export interface TimecodeRate {
  /** Real frames per second = num / den, e.g. 24000/1001. */
  num: number;
  den: number;
  dropFrame: boolean;
}

/**
 * '30df' is 30.000 fps LTC with the drop-frame flag set: rare gear counts its labels the drop-frame way while
 * running at 30 real frames a second (it drifts 3.6 s an hour from a 29.97 DF clock), so it is a rate of its own.
 * The doubled rates come from iXML only.
 */
export const TIMECODE_RATES = {
  '23.976': { num: 24000, den: 1001, dropFrame: false },
  '24': { num: 24, den: 1, dropFrame: false },
  '25': { num: 25, den: 1, dropFrame: false },
  '29.97df': { num: 30000, den: 1001, dropFrame: true },
  '29.97': { num: 30000, den: 1001, dropFrame: false },
  '30': { num: 30, den: 1, dropFrame: false },
  '30df': { num: 30, den: 1, dropFrame: true },
  '47.952': { num: 48000, den: 1001, dropFrame: false },
  '48': { num: 48, den: 1, dropFrame: false },
  '50': { num: 50, den: 1, dropFrame: false },
  '59.94df': { num: 60000, den: 1001, dropFrame: true },
  '59.94': { num: 60000, den: 1001, dropFrame: false },
  '60': { num: 60, den: 1, dropFrame: false },
} as const satisfies Record<string, TimecodeRate>;

/** Any rate of the table (what a BWF file may declare). */
export type RateName = keyof typeof TIMECODE_RATES;

/** The rates LTC runs at: the ones `ltc --fps`, take.json and rig.json accept. */
export const LTC_RATES = ['23.976', '24', '25', '29.97df', '29.97', '30', '30df'] as const satisfies readonly RateName[];

export type LtcRate = (typeof LTC_RATES)[number];

export function isRateName(v: unknown): v is RateName {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(TIMECODE_RATES, v);
}

/** The table's name for a rate ('23.976', '29.97df', ...), or null for a rate outside it. */
export function rateNameOf(rate: TimecodeRate): RateName | null {
  for (const [name, r] of Object.entries(TIMECODE_RATES) as [RateName, TimecodeRate][]) {
    if (r.num * rate.den === rate.num * r.den && r.dropFrame === rate.dropFrame) return name;
  }
  return null;
}

/**
 * Whether a recorder's drop-frame flag means anything at this real rate: 29.97 and 59.94, the drop-frame entries
 * of the table at a fractional rate ('30df' is LTC gear's quirk, which iXML's flag on 30/1 is not taken for).
 */
export function canDropFrame(num: number, den: number): boolean {
  return rateNameOf({ num, den, dropFrame: true }) !== null && num % den !== 0;
}
