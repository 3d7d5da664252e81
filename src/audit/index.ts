export { audit, type AuditRequest } from './audit.js';
export { auditTake, type AuditOptions } from './take-audit.js';
export { loadConfig, mergeThresholds, type ThresholdOverrides } from './config.js';
export { judgeTake, stateChecks, type JudgedTake } from './take-state.js';
export { sensorInput, failedInput, type SensorInput } from './input.js';
export * from './types.js';
