import { z } from 'zod';
import { isK4sError } from '../errors.js';
import { readJsonFile, validate, type JsonFileOptions } from '../json-file.js';
import { LTC_RATES } from '../timecode/rates.js';

/**
 * take.json: what k4sync knows about a take beyond the MKVs: who recorded it, the rig, the start-up timeline in host
 * time, and the LTC audio captured beside it with the host time of its samples. Takes from other tools have none;
 * the audit then marks what needs it "not measurable".
 */
export const TAKE_SCHEMA = 'k4sync.take/1';

const LtcRateSchema = z.enum(LTC_RATES);

/**
 * A sensor's clock as the audit measured it on the whole source take, carried by trim into the trimmed take: a
 * window of a few frames cannot measure a clock rate, and its audit must agree with the source's on the same frames.
 * Segment bounds are device times (µs), so they hold in any window cut from the take.
 */
export const SourceClockSchema = z.strictObject({
  /** The take the rate was measured on, and over how many frames of `track`. */
  take: z.string(),
  track: z.enum(['COLOR', 'DEPTH']),
  frames: z.number().int().min(1),
  ratePpm: z.number(),
  stdErrPpm: z.number().min(0),
  segments: z.array(z.strictObject({
    fromUs: z.number(), toUs: z.number(), ratePpm: z.number(), stdErrPpm: z.number().min(0), freeRunning: z.boolean().nullable(),
  })).min(1),
  /** Where the take's clocks count from (rates apply about originUs): 0, or an epoch clock's origin (Orbbec Femto). */
  origin: z.strictObject({ originUs: z.number(), epoch: z.boolean() }).optional(),
});

export type SourceClock = z.infer<typeof SourceClockSchema>;

/**
 * The part of trim's record (src/post/trim.ts, TrimRecord) that says what the trimmed take lacks: the sensors left
 * out and why, the take they came from, and the source's clocks. Loose: the rest of the record is trim's to define.
 */
export const TrimNoteSchema = z.looseObject({
  source: z.looseObject({ take: z.string(), dir: z.string() }).optional(),
  excluded: z.array(z.looseObject({ serial: z.string(), file: z.string(), reason: z.string() })).default([]),
  sensors: z.array(z.looseObject({ serial: z.string(), clock: SourceClockSchema.optional() })).default([]),
  /** The record of an earlier trim, when a trimmed take was trimmed again. */
  previous: z.unknown().optional(),
});

export type TrimNote = z.infer<typeof TrimNoteSchema>;

/**
 * The part of recover's record (src/post/recover.ts, RecoverRecord) the take's state needs: that its files were
 * rewritten from a crashed take, and from which. Loose: the rest of the record is recover's to define.
 */
export const RecoverNoteSchema = z.looseObject({
  source: z.looseObject({ take: z.string(), dir: z.string() }),
});

export type RecoverNote = z.infer<typeof RecoverNoteSchema>;

export const TakeManifestSchema = z.strictObject({
  schema: z.literal(TAKE_SCHEMA),
  tool: z.strictObject({ name: z.literal('k4sync'), version: z.string() }),
  createdAt: z.string(),
  host: z.string(),
  simulated: z.boolean(),
  rig: z.string().nullable(),
  sensors: z.array(
    z.strictObject({
      serial: z.string(),
      file: z.string(),
      role: z.enum(['master', 'subordinate', 'standalone']),
      jacks: z.strictObject({ syncIn: z.boolean(), syncOut: z.boolean() }).optional(),
      firmware: z.strictObject({ color: z.string().nullable(), depth: z.string().nullable() }).optional(),
      depthDelayUs: z.number().optional(),
      subordinateDelayUs: z.number().optional(),
      /** The writer queue between the sensor's capture thread and its writer: how full it got, captures lost to it. */
      writerQueue: z.strictObject({ capacity: z.number(), highWater: z.number(), lost: z.number() }).optional(),
    }),
  ),
  /** Camera settings shared by every sensor. */
  modes: z.strictObject({ fps: z.number(), color: z.string(), depth: z.string(), imu: z.boolean(), exposureUs: z.number().nullable() }).optional(),
  generator: z.strictObject({ used: z.boolean() }).optional(),
  /** Faults met during the take (a sensor unplugged, a write error), in host time. */
  incidents: z.array(z.strictObject({
    hostUs: z.number(),
    serial: z.string().nullable(),
    what: z.string(),
    /** What kind of incident (queue-overflow, write-failed, unplugged, ...), for scripts; `what` says it for people. */
    kind: z.string().optional(),
    /** The device time it concerns (e.g. the first capture lost), µs. */
    deviceUs: z.number().nullable().optional(),
  })).optional(),
  /** Host monotonic clock (µs) of each step of the start-up sequence. */
  timeline: z.array(z.strictObject({ event: z.string(), hostUs: z.number(), serial: z.string().nullable() })),
  /** "recording" from the start of the take until the recorder writes how it ended. */
  stopReason: z.string(),
  /** Set by `k4sync trim` on the take it writes: the source and the window kept. */
  trim: TrimNoteSchema.optional(),
  /** Set by `k4sync recover` on the take it writes: the crashed take its files were rewritten from. */
  recover: RecoverNoteSchema.optional(),
  ltc: z
    .strictObject({
      file: z.string(),
      channel: z.number().int().min(0),
      sampleRate: z.number().positive(),
      rate: LtcRateSchema.nullable(),
      /** Host monotonic clock (µs, the clock of the MKVs' host-time track) at sample 0. */
      hostStartUs: z.number(),
      /** Later (sample, host µs) pairs: the audio interface's clock is not the host's, so anchors keep them together. */
      anchors: z.array(z.strictObject({ sample: z.number().nonnegative(), hostUs: z.number() })),
    })
    .nullable(),
});

export type TakeManifest = z.infer<typeof TakeManifestSchema>;

/** `stopReason` while the recorder runs; it writes how the take ended when it stops. */
export const STILL_RECORDING = 'recording';

/**
 * trim and recover write a take.json for a take from another tool too: their records alone, beside whatever that
 * take's own take.json held (no `schema`).
 */
const ForeignSchema = z.looseObject({ trim: TrimNoteSchema.optional(), recover: RecoverNoteSchema.optional() });

const OPTIONS: JsonFileOptions = { code: 'K4S_BAD_MANIFEST', subject: 'take.json' };

/** Reads a k4sync take.json; throws K4S_BAD_MANIFEST (or the path's system error) naming the faulty field. */
export function readManifest(path: string): TakeManifest {
  return readJsonFile(path, TakeManifestSchema, OPTIONS);
}

/** What a take.json says: k4sync's manifest, or (for a trimmed or recovered take of another tool) only their records. */
export interface TakeJson {
  manifest: TakeManifest | null;
  trim: TrimNote | null;
  /** Set when `k4sync recover` wrote the take; optional so that a TakeJson made by hand need not name it. */
  recover?: RecoverNote | null;
}

export interface TakeJsonRead {
  /** Null when there is no take.json or it is not valid. */
  json: TakeJson | null;
  /** The parsed JSON object as found, valid or not (trim carries it over as it is); null when it is not an object. */
  raw: Record<string, unknown> | null;
  /** Why take.json is not valid, when it is not. */
  problem: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Reads a take's take.json when it has one (`path` null: it has none). Never throws for what the file holds: a take
 * whose take.json is damaged still has recordings worth auditing, so the problem is returned for the caller to say.
 */
export function loadTakeJson(path: string | null): TakeJsonRead {
  if (path === null) return { json: null, raw: null, problem: null };
  let raw: unknown;
  try {
    raw = readJsonFile(path, z.unknown(), OPTIONS);
    let json: TakeJson;
    if (isObject(raw) && !('schema' in raw) && ('trim' in raw || 'recover' in raw)) {
      const foreign = validate(ForeignSchema, raw, path, OPTIONS);
      json = { manifest: null, trim: foreign.trim ?? null, recover: foreign.recover ?? null };
    } else {
      const manifest = validate(TakeManifestSchema, raw, path, OPTIONS);
      json = { manifest, trim: manifest.trim ?? null, recover: manifest.recover ?? null };
    }
    return { json, raw: raw as Record<string, unknown>, problem: null };
  } catch (e) {
    if (!isK4sError(e)) throw e;
    return { json: null, raw: isObject(raw) ? raw : null, problem: e.message };
  }
}

/** Every sensor a trim left out, this trim's and those of the trims before it, with the take it was trimmed from. */
export function excludedByTrim(trim: TrimNote | null): { serial: string; file: string; reason: string; source: string | null }[] {
  const out = [];
  for (let t: TrimNote | null = trim; t; ) {
    const source = t.source?.dir ?? null;
    out.push(...t.excluded.map((e) => ({ serial: e.serial, file: e.file, reason: e.reason, source })));
    const previous = TrimNoteSchema.safeParse(t.previous);
    t = previous.success ? previous.data : null;
  }
  return out;
}
