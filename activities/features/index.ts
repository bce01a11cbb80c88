/**
 * Features of the lifecycle's `features` step: the feature spec (spec.ts), manifest features
 * (manifest.ts and the per-kind manifest-*.ts extractors, the list in manifest-features.ts, the
 * policy relevance in manifest-relevance.ts), Rego AST features (rego.ts) and their polars tables
 * (table.ts).
 */
export * from './manifest';
export * from './manifest-features';
export { ALLOWED_REGISTRIES, imageRegistry } from './manifest-images';
export * from './manifest-relevance';
export * from './rego';
export * from './spec';
export * from './table';
