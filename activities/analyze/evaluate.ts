/**
 * The one place `pac analyze` (CLI and API) evaluates policies: a small Evaluator over the
 * in-process policy engine (activities/engine), so the rest of activities/analyze does not know
 * how the engine runs.
 */
import type { Config } from '../../infra/config';
import { corpusEngine, type ManifestVerdict, type PolicyEngine, sharedCorpusEngine } from '../engine';

/** Parameters per policy id (data.kpc.params.<id>), as read from a --params file. */
export type PolicyParams = Record<string, Record<string, unknown>>;

export interface EvaluateRequest {
  /** evaluate only these policy ids (default: all) */
  policies?: readonly string[];
  params?: PolicyParams;
  /** data.inventory for cross-object policies (inventory.ts); the engine's own default is the labelling fixture */
  inventory?: unknown;
}

export interface Evaluator {
  /** every policy the engine holds: the corpus and the published policies */
  readonly policyIds: readonly string[];
  /** the digest of what the engine evaluates (corpus ∪ published): recorded with each observation */
  readonly corpusDigest: string;
  /** for each manifest, in order: policy id → denial messages, only for the policies that deny */
  evaluate(manifests: readonly unknown[], request?: EvaluateRequest): Promise<Record<string, string[]>[]>;
  /** the same, with the per-policy evaluation times (µs) of the manifests the engine sampled */
  verdicts(manifests: readonly unknown[], request?: EvaluateRequest): Promise<ManifestVerdict[]>;
  close(): Promise<void>;
}

export interface EvaluatorOptions {
  /** 0: evaluate in this thread (small inputs); N: a pool of N worker threads (big inputs) */
  threads: number;
}

function evaluatorOf(engine: PolicyEngine, close: () => Promise<void>): Evaluator {
  const verdicts = (manifests: readonly unknown[], request: EvaluateRequest = {}) =>
    engine.evaluate(manifests, {
      ...(request.policies ? { policies: request.policies } : {}),
      ...(request.params ? { params: request.params } : {}),
      ...(request.inventory !== undefined ? { inventory: request.inventory } : {}),
    });
  return {
    policyIds: engine.policyIds,
    corpusDigest: engine.corpusDigest,
    async evaluate(manifests, request) {
      return (await verdicts(manifests, request)).map((v) => v.denied);
    },
    verdicts,
    close,
  };
}

/** An engine of its own (a CLI run): in this thread or on a pool, closed by the caller. */
export async function openEvaluator(config: Config, options: EvaluatorOptions): Promise<Evaluator> {
  const engine = await corpusEngine(config, { threads: options.threads });
  return evaluatorOf(engine, () => engine.close());
}

/** The process-wide engine (the API): in this thread, rebuilt when a policy changes; never closed here. */
export async function sharedEvaluator(config: Config): Promise<Evaluator> {
  return evaluatorOf(await sharedCorpusEngine(config), async () => {});
}
