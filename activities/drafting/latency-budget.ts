/**
 * How long a drafted policy will take to evaluate, before anyone approves it: the latency
 * champion (MLflow alias `champion` of kpc-latency-regressor, activities/lifecycle/champion.ts)
 * reads the draft's Rego features (`opa parse`) and predicts its time at realistic input sizes —
 * the median and 95th percentile of the items (containers, rules, ports …) of the manifests of the
 * draft's kinds observed in the observation window, or of simulated manifests when none were
 * observed — as the platform's engine would run it (in process). Above the budget
 * (PAC_LATENCY_BUDGET_MS, default 250 ms: half of a 500 ms admission webhook timeout) the draft
 * carries a warning; it never fails a gate. Without a champion (none registered, MLflow down) the
 * prediction is null and the note says why.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateManifests } from '../../datasets/synthetic/manifests';
import type { Config } from '../../infra/config';
import { isObject } from '../../lib/json';
import { latencyItemsOf, latencyMetaFeatures } from '../features/latency';
import { regoFeaturesOfFile } from '../features/rego';
import { servedChampion } from '../lifecycle/champion';
import { inventoryFixtureSize } from '../lifecycle/training-sets';
import { readObservations } from '../observations/store';
import { percentile } from '../training/metrics';
import type { Draft, LatencyPrediction } from './schemas';

/** Input sizes of the draft's kinds: observed manifests in the window, else simulated ones. */
export function realisticSizes(
  kinds: readonly string[],
  observed: readonly unknown[],
  simulated: () => readonly unknown[],
): LatencyPrediction['sizes'] {
  const ofKinds = (manifests: readonly unknown[]) =>
    manifests.filter((m) => isObject(m) && (kinds.includes(String(m.kind)) || kinds.includes('*'))).map(latencyItemsOf);
  let items = ofKinds(observed);
  let from: LatencyPrediction['sizes']['from'] = 'observations';
  if (items.length === 0) {
    items = ofKinds(simulated());
    from = 'simulated';
  }
  if (items.length === 0) return { p50: 1, p95: 1, manifests: 0, from };
  return { p50: percentile(items, 50), p95: percentile(items, 95), manifests: items.length, from };
}

const ms = (value: number) => (value >= 10 ? value.toFixed(0) : value >= 0.1 ? value.toFixed(2) : value.toFixed(4));

/** The Markdown shown as the drafting workflow's current details in the Temporal UI. */
export function latencyDetails(p: Omit<LatencyPrediction, 'details'>): string {
  const sizes = `p50 ${ms(p.sizes.p50)} / p95 ${ms(p.sizes.p95)} items (${p.sizes.manifests} ${p.sizes.from} ${p.kinds.join(', ')} manifests${p.inventoryObjects ? `, inventory of ${p.inventoryObjects} objects` : ''})`;
  if (!p.predictedMs) return `**Predicted evaluation time**: none — ${p.note}`;
  return [
    `**Predicted evaluation time** (latency champion v${p.modelVersion}): p50 input ${ms(p.predictedMs.p50)} ms, p95 input ${ms(p.predictedMs.p95)} ms`,
    `Input sizes: ${sizes}`,
    p.overBudget
      ? `⚠ **over the budget** of ${p.budgetMs} ms (PAC_LATENCY_BUDGET_MS, half of a 500 ms webhook timeout by default)`
      : `Within the budget of ${p.budgetMs} ms.`,
  ].join('\n\n');
}

function finish(p: Omit<LatencyPrediction, 'details'>): LatencyPrediction {
  return { ...p, details: latencyDetails(p) };
}

/** The prediction for a draft; never throws (a failure is the note). */
export async function predictDraftLatency(config: Config, draft: Pick<Draft, 'policy' | 'kinds'>): Promise<LatencyPrediction> {
  const budgetMs = config.models.latencyBudgetMs;
  const inventoryObjects = draft.policy.includes('data.inventory') ? inventoryFixtureSize() : 0;
  const empty = { modelVersion: null, kinds: [...draft.kinds], inventoryObjects, predictedMs: null, budgetMs, overBudget: false };
  let sizes: LatencyPrediction['sizes'] = { p50: 1, p95: 1, manifests: 0, from: 'simulated' };
  try {
    sizes = realisticSizes(
      draft.kinds,
      readObservations(config).map((o) => o.manifest),
      () => generateManifests(42, 1000),
    );
    const served = await servedChampion(config, 'latency');
    if (!served.model) return finish({ ...empty, sizes, note: served.note ?? 'no latency champion' });
    const dir = mkdtempSync(join(tmpdir(), 'pac-latency-draft-'));
    let rego: Record<string, number>;
    try {
      const file = join(dir, 'policy.rego');
      writeFileSync(file, draft.policy, { mode: 0o600 });
      rego = await regoFeaturesOfFile(config, file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const features = { ...rego, ...latencyMetaFeatures(draft.kinds), in_process: 1 };
    const predict = (items: number) => served.model?.predictNs({ features, items: Math.max(1, items), inventoryObjects }) ?? 0;
    const predictedMs = { p50: predict(sizes.p50) / 1e6, p95: predict(sizes.p95) / 1e6 };
    const overBudget = predictedMs.p95 > budgetMs;
    const note = `latency champion version ${served.version}, at the ${sizes.from === 'observations' ? 'observed' : 'simulated (no manifest of these kinds observed)'} input sizes${served.note ? `; ${served.note}` : ''}`;
    return finish({ ...empty, modelVersion: served.version ?? null, sizes, predictedMs, overBudget, note });
  } catch (error) {
    return finish({ ...empty, sizes, note: `no prediction: ${(error as Error).message.split('\n')[0]}` });
  }
}
