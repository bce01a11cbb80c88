/**
 * What the lifecycle activities pass each other (through the workflow). Payloads carry file paths
 * and small summaries, never the data itself: Temporal keeps every payload in the history.
 */
import type { ModelFamily, RegisterResult } from '../../registry/promotion';

export type Metrics = Record<string, number>;

export interface TrainingRun {
  runId: string;
  experimentId: string;
  /** the run's page in the MLflow UI */
  runUrl: string;
  /** where this run's files live: $PAC_STATE_DIR/lifecycle/<family>/<runId> */
  workDir: string;
  /** the MLflow run's start (ms since the epoch): the timestamp of its metrics, so a retry logs the same points */
  startTime?: number;
}

export interface DatasetRef {
  family: ModelFamily;
  name: string;
  /** JSON Lines file of the family's raw records */
  path: string;
  /** sha256 of the file's bytes */
  digest: string;
  rows: number;
  /** what the dataset came from, e.g. "generated seed=42 count=10000 (labels: real OPA)" */
  source: string;
  /** rows per source (ranker: cli, api, ci, import, admission, simulated) */
  sources?: Record<string, number>;
}

export interface FeatureRef {
  /** JSON file: { columns, rows, targets, ids, groups } */
  path: string;
  rows: number;
  columns: number;
  seconds: number;
}

export interface TrainResult {
  /** JSON model artifact (ModelArtifact) */
  modelPath: string;
  learner: string;
  /** validation metrics of every candidate learner, when several were compared */
  candidates: { learner: string; metrics: Metrics }[];
  validation: Metrics;
  trainRows: number;
  testRows: number;
  seconds: number;
}

export interface EvaluationResult {
  metrics: Metrics;
  /** the baselines measured on the same held-out data (heuristic, majority class, …) */
  baselines: Record<string, Metrics>;
  /** further numbers logged with the run, not gated (ranker: rows by origin and source in each part, the split) */
  details?: Metrics;
  championVersion?: string;
  championMetrics?: Metrics;
  /** evaluation report (JSON) */
  reportPath: string;
  seconds: number;
}

/** registerAndPromote's result, with the MLflow UI links of the run and the model version. */
export interface RegisterOutcome extends RegisterResult {
  runUrl: string;
  modelUrl: string;
}
