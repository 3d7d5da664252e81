import { z } from 'zod';
import { DEFAULT_THRESHOLDS, type Thresholds } from './types.js';
import { readJsonFile } from '../json-file.js';

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

/** k4sync.config.json, validated: every problem names its field, what was expected and what arrived. */
export function loadConfig(path: string): ThresholdOverrides {
  return readJsonFile(path, ConfigSchema, { code: 'K4S_BAD_CONFIG', subject: 'the configuration', docs: 'docs/audit-json.md' }).thresholds ?? {};
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
