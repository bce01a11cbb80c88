/** Where each dataset lives: the one list of paths under datasets/. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DATASETS_DIR = fileURLToPath(new URL('.', import.meta.url));
export const POLICIES_DIR = join(DATASETS_DIR, 'policies');
export const POLICY_INDEX_FILE = join(POLICIES_DIR, 'index.jsonl');
export const FIXTURES_DIR = join(DATASETS_DIR, 'fixtures');
export const INVENTORY_FILE = join(FIXTURES_DIR, 'inventory.json');
export const GENERATED_DIR = join(DATASETS_DIR, 'generated');
export const FAILURES_DIR = join(DATASETS_DIR, 'failures');
/** the failure log: policy denials and what was done about them (fix-strategy labels) */
export const FAILURE_LOG_FILE = join(FAILURES_DIR, 'failure_log.jsonl');
export const FP_SCORES_FILE = join(FAILURES_DIR, 'fp_scores.jsonl');
export const LATENCY_FILE = join(DATASETS_DIR, 'latency', 'latency.jsonl');
export const CI_LOGS_DIR = join(DATASETS_DIR, 'ci-logs');
export const FAILURE_TEXTS_FILE = join(CI_LOGS_DIR, 'failure-texts.jsonl');
export const KB_DIR = join(DATASETS_DIR, 'kb');
export const KB_EVAL_FILE = join(DATASETS_DIR, 'kb-eval', 'questions.jsonl');
/** draft requests with held-out checks: design/ (used while building the generator) and heldout/ (never used to tune) */
export const DRAFT_REQUESTS_DESIGN_DIR = join(DATASETS_DIR, 'draft-requests', 'design');
export const DRAFT_REQUESTS_HELDOUT_DIR = join(DATASETS_DIR, 'draft-requests', 'heldout');
/** manifests written by hand in styles unlike the generator, for evaluation only (never used to tune) */
export const FOREIGN_WORKLOADS_DIR = join(DATASETS_DIR, 'foreign', 'workloads');
