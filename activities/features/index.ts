/**
 * Features of the lifecycle's `features` step: manifest features (manifest.ts), Rego AST features
 * (rego.ts) and their polars tables (table.ts).
 */
export * from './manifest';
export * from './rego';
export * from './table';
