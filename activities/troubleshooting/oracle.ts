/**
 * The one way troubleshooting asks whether manifests are denied (the minimiser's oracle, fix
 * verification, autofix, diagnosis): the policy engine (activities/engine), shared per
 * configuration and evaluated on the calling thread (batches here are small), optionally
 * restricted to some policies and with policy parameters (`data.kpc.params`).
 */
import { type EngineConfig, sharedCorpusEngine } from '../engine';

/** policy id → denial messages (only the policies that deny). */
export type Denials = Record<string, string[]>;

/** `data.kpc.params`: policy id → parameter → value. */
export type PolicyParams = Record<string, Record<string, unknown>>;

export const packageKeyOf = (policyId: string) => policyId.replaceAll('-', '_');
export const policyIdOfKey = (key: string) => key.replaceAll('_', '-');

export interface EvaluateDenialsOptions {
  config: EngineConfig;
  manifests: readonly unknown[];
  /** only these policies (default: the whole corpus) */
  policies?: readonly string[];
  params?: PolicyParams;
  /** checked before evaluating: an aborted activity evaluates nothing */
  signal?: AbortSignal;
}

/** The denials of every manifest, in input order. */
export async function evaluateDenials(options: EvaluateDenialsOptions): Promise<Denials[]> {
  options.signal?.throwIfAborted();
  const engine = await sharedCorpusEngine(options.config);
  const verdicts = await engine.evaluate(options.manifests, { policies: options.policies, params: options.params });
  return verdicts.map((v) => v.denied);
}
