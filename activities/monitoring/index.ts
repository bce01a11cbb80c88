/**
 * Drift monitoring: the training reference, the comparison of current data against it and the
 * report. Pure and deterministic; the monitor activity and its MLflow logging build on these.
 */
export * from './drift';
export * from './report';
