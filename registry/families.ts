/**
 * The model families and their registered model names: pure constants with no imports, so
 * workflow code (bundled for the Temporal sandbox) may import them as values.
 */
export const MODEL_FAMILIES = ['ranker', 'fix', 'latency'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

/** One registered model per family. */
export const REGISTERED_MODEL_NAMES: Record<ModelFamily, string> = {
  ranker: 'kpc-policy-ranker',
  fix: 'kpc-fix-strategy',
  latency: 'kpc-latency-regressor',
};
