/**
 * The ranker's top-k for analysed objects: the champion ranker from MLflow, or the heuristic
 * baseline when there is none (or MLflow cannot be reached). Loaded only when ranking is asked
 * for (`pac analyze --rank`, the API), so a plain analysis never touches MLflow. A long-running
 * process (the API) keeps the ranker for RANKER_TTL_MS, so a request does not download it again.
 */
import { loadPolicyIndex } from '../../datasets/load';
import type { Config } from '../../infra/config';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { REGISTERED_MODEL_NAMES } from '../../registry/promotion';
import { extractManifestFeatures } from '../features/manifest';
import { MANIFEST_FEATURES } from '../features/manifest-features';
import { relevantFeatures } from '../features/manifest-relevance';
import { loadArtifactOf } from '../training/artifact';
import { heuristicRanker, type Ranker } from '../training/ranker';

export interface LoadedRanker {
  ranker: Ranker;
  /** "kpc-policy-ranker v3 (champion)" or the heuristic, saying why */
  label: string;
}

/** How long a process keeps a loaded ranker before asking MLflow again (a new champion shows up within this time). */
export const RANKER_TTL_MS = 60_000;

/** The champion ranker from MLflow, or the heuristic baseline when there is no champion yet. */
export async function championRanker(config: Config): Promise<LoadedRanker> {
  const client = mlflowClientFromConfig(config);
  const name = REGISTERED_MODEL_NAMES.ranker;
  try {
    const champion = await client.getModelVersionByAlias(name, 'champion');
    if (champion?.run_id) {
      const { model } = loadArtifactOf('ranker', JSON.parse(await client.downloadText(champion.run_id, 'model/model.json')));
      return { ranker: model, label: `${name} v${champion.version} (champion)` };
    }
  } catch {
    // MLflow not reachable: fall back to the heuristic, and say so
  }
  const policies = loadPolicyIndex().map((m) => ({ id: m.id, kinds: m.kinds, reliability: m.reliability, relevant: relevantFeatures(m) }));
  return { ranker: heuristicRanker(policies, { spec: MANIFEST_FEATURES }), label: 'heuristic baseline (no champion ranker in MLflow yet)' };
}

const cache = new WeakMap<Config, { at: number; loaded: Promise<LoadedRanker> }>();

/** championRanker, kept for RANKER_TTL_MS per configuration object (one per process in the API). */
export function cachedChampionRanker(config: Config, now = Date.now()): Promise<LoadedRanker> {
  const hit = cache.get(config);
  if (hit && now - hit.at < RANKER_TTL_MS) return hit.loaded;
  const loaded = championRanker(config);
  cache.set(config, { at: now, loaded });
  loaded.catch(() => cache.delete(config));
  return loaded;
}

/** The top-k of a manifest, scores rounded to 4 decimals. */
export function rankManifest(ranker: Ranker, manifest: unknown, top: number): { policy: string; score: number }[] {
  return ranker.rank(extractManifestFeatures(manifest), top).map((r) => ({ policy: r.id, score: Math.round(r.score * 10_000) / 10_000 }));
}
