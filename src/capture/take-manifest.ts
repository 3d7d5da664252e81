import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { K4sError } from '../errors.js';

/**
 * take.json: what k4sync knows about a take beyond the MKVs: who recorded it, the rig, the start-up timeline in host
 * time, and the LTC audio captured beside it with the host time of its samples. Takes from other tools have none;
 * the audit then marks what needs it "not measurable".
 */
export const TAKE_SCHEMA = 'k4sync.take/1';

const LtcRateSchema = z.enum(['23.976', '24', '25', '29.97df', '29.97', '30']);

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
    }),
  ),
  /** Camera settings shared by every sensor. */
  modes: z.strictObject({ fps: z.number(), color: z.string(), depth: z.string(), imu: z.boolean(), exposureUs: z.number().nullable() }).optional(),
  generator: z.strictObject({ used: z.boolean() }).optional(),
  /** Faults met during the take (a sensor unplugged, a write error), in host time. */
  incidents: z.array(z.strictObject({ hostUs: z.number(), serial: z.string().nullable(), what: z.string() })).optional(),
  /** Host monotonic clock (µs) of each step of the start-up sequence. */
  timeline: z.array(z.strictObject({ event: z.string(), hostUs: z.number(), serial: z.string().nullable() })),
  stopReason: z.string(),
  /** Set by `k4sync trim` on the take it writes: the source and the window kept. */
  trim: z.looseObject({}).optional(),
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

export class ManifestError extends K4sError {
  constructor(message: string, remedy?: string) {
    super('K4S_BAD_MANIFEST', message, remedy);
  }
}

export function readManifest(path: string): TakeManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ManifestError(`${path} is not readable JSON (${(e as Error).message}).`);
  }
  const parsed = TakeManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ManifestError(`${path}: ${first.path.map(String).join('.') || '(top level)'}: ${first.message}.`);
  }
  return parsed.data;
}
