export { assessTake, audit, type AssessOptions, type AuditRequest, type TakeAssessment } from './audit.js';
export type { ExcludedSensor, SensorOnTimeline, TakeTimeline } from './timeline.js';
export { auditTake, type AuditOptions } from './take-audit.js';
export { loadConfig, mergeThresholds, type ThresholdOverrides } from './config.js';
export { judgeTake, stateChecks, type JudgedTake } from './take-state.js';
export { sensorInput, failedInput, type SensorInput } from './input.js';
export * from './types.js';
