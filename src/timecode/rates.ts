/**
 * The LTC rates by name, apart from the arithmetic in smpte.ts (which loads smpte-timecode): bin/ validates
 * `ltc --fps` with this list without loading anything else.
 */

/**
 * '30df' is 30.000 fps LTC with the drop-frame flag set: rare gear counts its labels the drop-frame way while
 * running at 30 real frames a second (it drifts 3.6 s an hour from a 29.97 DF clock), so it is a rate of its own.
 * The one list of rates: take.json's and rig.json's schemas and bin/'s flag check all use it.
 */
export const LTC_RATES = ['23.976', '24', '25', '29.97df', '29.97', '30', '30df'] as const;

export type LtcRate = (typeof LTC_RATES)[number];
