/**
 * The feature spec: one column of a feature table — its name, its type and what it measures. The
 * one definition read by the feature lists (MANIFEST_FEATURES, REGO_FEATURES), the polars tables,
 * the models' encoder (training/encoder.ts) and the drift profiles (monitoring/).
 *
 *   const spec: FeatureSpec[] = [{ name: 'replicas', type: 'numeric' }, { name: 'kind', type: 'categorical' }];
 *
 * Numeric features are numbers (booleans as 0/1); categorical ones are strings.
 */
import { z } from 'zod';

export const FEATURE_TYPES = ['numeric', 'categorical'] as const;

export const featureSpecSchema = z.object({
  name: z.string().min(1),
  type: z.enum(FEATURE_TYPES),
  /** what the column measures; every feature of the published lists has one */
  description: z.string().optional(),
});
export type FeatureSpec = z.infer<typeof featureSpecSchema>;
export type FeatureType = FeatureSpec['type'];

/** A feature of a published list: its description is required there. */
export type DescribedFeature = FeatureSpec & { description: string };

export const numericFeature = (name: string, description: string): DescribedFeature => ({ name, type: 'numeric', description });

export const categoricalFeature = (name: string, description: string): DescribedFeature => ({ name, type: 'categorical', description });
