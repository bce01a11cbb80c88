/**
 * The observation store: what the platform saw (analyses, API calls, CI, admission, imports) and
 * what people said about suggested fixes, as an append-only dataset under the state directory.
 * See docs/architecture.md (activities/observations) for the layout and the crash guarantees.
 */
export type { CompactionStats, CompactOptions } from './compact';
export { formatImportReport, formatObservationCounts } from './format';
export { type ImportOptions, type ImportReport, importManifests } from './import';
export {
  buildFeedback,
  buildObservation,
  closeWriters,
  flushWriters,
  type ObservationsConfig,
  observationRecorder,
  type Recorder,
  recordFeedback,
} from './record';
export { canonicalJson, manifestDigest, normaliseManifest, REDACTED_TOKEN, redactManifest, skeletonDigest, skeletonOf } from './redact';
export * from './schemas';
export {
  COUNT_KEYS,
  type CountKey,
  type CountRow,
  compactObservations,
  type ObservationCounts,
  type ObservationFrame,
  type ObservationQuery,
  observationCounts,
  readFeedback,
  readObservationFrame,
  readObservations,
  startBackgroundCompaction,
} from './store';
