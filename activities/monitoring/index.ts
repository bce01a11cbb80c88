/**
 * Drift monitoring: the training reference (reference.ts), the comparison of current data against
 * it (comparison.ts), the statistics both rest on (statistics.ts), their schemas (schemas.ts) and
 * the report (report.ts). Pure and deterministic; the monitor activity and its MLflow logging build
 * on these.
 */
export * from './comparison';
export * from './format';
export * from './reference';
export * from './report';
export * from './schemas';
export * from './statistics';
