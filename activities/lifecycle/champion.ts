/**
 * Serving a family's champion: the model version the MLflow alias `champion` points at, loaded
 * from its run's artifact `model/model.json` and cached by version. The alias is looked up again at
 * most every `PAC_MODEL_RECHECK_MS` (default 60 s): a promotion is picked up within that time, and
 * between checks a call costs a map lookup. A failed lookup (MLflow down) is cached for the same
 * time, so a dead registry costs one quick failure per interval, not one per request.
 *
 *   const served = await servedChampion(config, 'fix');
 *   if (served.model) served.model.predict(…)        // else: served.note says why (no champion, MLflow down)
 *
 * When MLflow is down but a champion was loaded before, that model keeps serving (the note says
 * so): a version, once loaded, never changes.
 */
import type { Config } from '../../infra/config';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { type ModelFamily, REGISTERED_MODEL_NAMES } from '../../registry/promotion';
import { type LoadedArtifact, loadArtifactOf } from '../training/artifact';

type ModelOf<F extends ModelFamily> = Extract<LoadedArtifact, { family: F }>['model'];

export interface ServedChampion<F extends ModelFamily> {
  family: F;
  /** the champion's model, or undefined: use the fallback and show `note` */
  model?: ModelOf<F>;
  /** the registered version served */
  version?: string;
  /** why there is no model, or what is stale; undefined when the fresh champion serves */
  note?: string;
}

interface Entry {
  checkedAt: number;
  version?: string;
  model?: unknown;
  /** the last lookup's problem (no champion, MLflow unreachable, an unreadable artifact) */
  problem?: string;
}

const cache = new Map<string, Entry>();
/** one lookup at a time per family and server: concurrent requests share it */
const pending = new Map<string, Promise<Entry>>();

/** Forgets every cached champion (tests, and a server told to reload). */
export function clearChampionCache(): void {
  cache.clear();
}

type ChampionConfig = Pick<Config, 'mlflow' | 'models'>;

async function lookup<F extends ModelFamily>(config: ChampionConfig, family: F, previous: Entry | undefined): Promise<Entry> {
  const name = REGISTERED_MODEL_NAMES[family];
  // serving must not hang on a dead registry: one try, a short timeout
  const client = mlflowClientFromConfig(config as Config, { timeoutMs: 3000, getRetries: 0 });
  const now = Date.now();
  try {
    const version = await client.getModelVersionByAlias(name, 'champion');
    if (!version?.run_id)
      return { checkedAt: now, problem: `no ${family} champion is registered (${name} has no version with the alias champion)` };
    if (previous?.model && previous.version === version.version) return { ...previous, checkedAt: now, problem: undefined };
    const json: unknown = JSON.parse(await client.downloadText(version.run_id, 'model/model.json'));
    return { checkedAt: now, version: version.version, model: loadArtifactOf(family, json).model };
  } catch (error) {
    const problem = `MLflow at ${config.mlflow.uri} did not give the ${family} champion: ${(error as Error).message.split('\n')[0]}`;
    // keep a model loaded before: its version's artifact never changes
    return previous?.model ? { ...previous, checkedAt: now, problem } : { checkedAt: now, problem };
  }
}

/** The champion of `family`, from the cache when it was checked less than `recheckMs` ago. */
export async function servedChampion<F extends ModelFamily>(config: ChampionConfig, family: F): Promise<ServedChampion<F>> {
  const key = `${config.mlflow.uri}\u0000${family}`;
  const recheckMs = config.models.recheckMs;
  let entry = cache.get(key);
  if (!entry || Date.now() - entry.checkedAt >= recheckMs) {
    let running = pending.get(key);
    if (!running) {
      running = lookup(config, family, entry).finally(() => pending.delete(key));
      pending.set(key, running);
    }
    entry = await running;
    cache.set(key, entry);
  }
  if (!entry.model) return { family, note: entry.problem };
  const served = {
    family,
    model: entry.model,
    version: entry.version,
    ...(entry.problem ? { note: `${entry.problem}; serving the cached version ${entry.version}` } : {}),
  };
  return served as ServedChampion<F>;
}
