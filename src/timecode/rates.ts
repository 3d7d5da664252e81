/**
 * The LTC rates by name, apart from the arithmetic in smpte.ts (which loads smpte-timecode): bin/ validates
 * `ltc --fps` with this list without loading anything else.
 */

export type LtcRate = '23.976' | '24' | '25' | '29.97df' | '29.97' | '30' | '30df';

/**
 * '30df' is 30.000 fps LTC with the drop-frame flag set: rare gear counts its labels the drop-frame way while
 * running at 30 real frames a second (it drifts 3.6 s an hour from a 29.97 DF clock), so it is a rate of its own.
 */
export const LTC_RATES: readonly LtcRate[] = ['23.976', '24', '25', '29.97df', '29.97', '30', '30df'];
