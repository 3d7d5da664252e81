import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_THRESHOLDS, type Thresholds } from './types.js';
import { K4sError } from '../errors.js';

export class ConfigError extends K4sError {
  constructor(message: string, remedy?: string) {
    super('K4S_BAD_CONFIG', message, remedy);
  }
}

const positive = z.number().positive();
const ThresholdsSchema = z
  .strictObject({
    offsetToleranceUs: z.strictObject({ '30': positive, '15': positive, '5': positive }).partial(),
    dropFailFraction: z.number().min(0).max(1),
    jitterWarnTicks: positive,
    implausibleRatePpm: positive,
    minDepthSpacingUs: positive,
    colorDepthToleranceUs: positive,
  })
  .partial();

const ConfigSchema = z.strictObject({ thresholds: ThresholdsSchema.optional() });

export type ThresholdOverrides = z.infer<typeof ThresholdsSchema>;

function describe(issue: z.core.$ZodIssue): string {
  const field = issue.path.map(String).join('.') || '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys: string[] }).keys;
    const at = issue.path.length ? `${issue.path.join('.')}.` : '';
    return `${keys.map((k) => `${at}${k}`).join(', ')} is not a known setting`;
  }
  return `${field}: ${issue.message}`;
}

/** k4sync.config.json, validated: every problem names its field. */
export function loadConfig(path: string): ThresholdOverrides {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new ConfigError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not valid JSON (${(e as Error).message})`}.`);
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`${path}: ${parsed.error.issues.map(describe).join('; ')}.`);
  return parsed.data.thresholds ?? {};
}

/** Defaults, then the config file, then flags: each later source wins field by field. */
export function mergeThresholds(...layers: ThresholdOverrides[]): Thresholds {
  const out: Thresholds = { ...DEFAULT_THRESHOLDS, offsetToleranceUs: { ...DEFAULT_THRESHOLDS.offsetToleranceUs } };
  for (const layer of layers) {
    const { offsetToleranceUs, ...rest } = layer;
    Object.assign(out, Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)));
    if (offsetToleranceUs) Object.assign(out.offsetToleranceUs, Object.fromEntries(Object.entries(offsetToleranceUs).filter(([, v]) => v !== undefined)));
  }
  return out;
}
