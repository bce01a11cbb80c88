/**
 * Bootstraps the failure log (datasets/failures/failure_log.jsonl) from real mechanics:
 *
 * 1. fp_score per policy is measured with real OPA: the corpus is evaluated on the negative fixtures
 *    (known bad) and on acceptable variants of the positive fixtures (benign.ts). A policy's
 *    fp_score is the smoothed share of its denials that fall on acceptable variants.
 * 2. The denials themselves (policy, resource, message, other policies denying the same manifest)
 *    come from evaluating the corpus: on generated manifests (real problems) and on acceptable
 *    variants of good manifests (spurious denials), so every message is one OPA really returned.
 * 3. What happened next (what was decided, whether a fix was reverted, whether the decision was
 *    accepted) is simulated from those observations with the assumptions written down in
 *    datasets/README.md. Every row is marked `source: "simulated"`.
 *
 * Real rows (explicit feedback, outcomes read from observations) never go into this file: the
 * lifecycle's ingest reads them from the observation store and adds them to the training set.
 * Rows of another source found in an older file are kept when it is regenerated.
 *
 *   npm run datasets:failures [-- --seed 7 --count 3000]
 */
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluateCorpus } from '../activities/opa/corpus';
import { corpusRegoFiles, loadNegativeFixtures, loadPolicyIndex, loadPositiveFixtures, readJsonl } from '../datasets/load';
import { FAILURE_LOG_FILE, FP_SCORES_FILE, INVENTORY_FILE } from '../datasets/paths';
import {
  FAILURE_TYPE_OF_CATEGORY,
  type FailureRecord,
  type FpMeasurement,
  failureRecordSchema,
  fpMeasurementSchema,
  type PolicyMeta,
} from '../datasets/schemas';
import { benignCases } from '../datasets/synthetic/benign';
import { createRng, generateManifests, type Rng } from '../datasets/synthetic/manifests';
import type { Config } from '../infra/config';
import { loadConfig } from '../infra/config';
import { writeAtomic } from '../lib/atomic';

/**
 * fp_score = (W + A) / (W + N + A + B): W sums, over the acceptable variants, the share of that
 * variant's cases the policy denies (a variant counts at most once however many fixtures it was
 * applied to); N is the number of known-bad fixtures it denies; A and B are a Beta prior (mean 0.2)
 * so a policy with little evidence is neither cleared nor condemned.
 */
const PRIOR_A = 0.5;
const PRIOR_B = 2;

export function fpScore(benignWeight: number, negativeDenied: number): number {
  return round((benignWeight + PRIOR_A) / (benignWeight + negativeDenied + PRIOR_A + PRIOR_B), 4);
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Evaluates the corpus on the negative fixtures and the acceptable variants of the positives. */
export async function measureFpScores(config: Config): Promise<FpMeasurement[]> {
  const index = loadPolicyIndex();
  const negatives = loadNegativeFixtures();
  const cases = benignCases(loadPositiveFixtures());
  const evaluations = await evaluateCorpus({
    opa: config.opa,
    regoFiles: corpusRegoFiles(),
    dataFiles: [INVENTORY_FILE],
    manifests: [...negatives.map((f) => f.manifest), ...cases.map((c) => c.manifest)],
  });
  const negativeDenied = new Map<string, number>();
  const variantCases = new Map<string, number>();
  for (const c of cases) variantCases.set(c.variant, (variantCases.get(c.variant) ?? 0) + 1);
  /** policy → variant → denied cases */
  const benignDenied = new Map<string, Map<string, number>>();
  evaluations.forEach((evaluation, i) => {
    for (const policy of Object.keys(evaluation.denied)) {
      if (i < negatives.length) {
        negativeDenied.set(policy, (negativeDenied.get(policy) ?? 0) + 1);
      } else {
        const variant = (cases[i - negatives.length] as { variant: string }).variant;
        const perVariant = benignDenied.get(policy) ?? new Map<string, number>();
        perVariant.set(variant, (perVariant.get(variant) ?? 0) + 1);
        benignDenied.set(policy, perVariant);
      }
    }
  });
  return index.map((meta) => {
    const perVariant = benignDenied.get(meta.id) ?? new Map<string, number>();
    const weight = round(
      [...perVariant].reduce((sum, [variant, denied]) => sum + denied / (variantCases.get(variant) ?? 1), 0),
      4,
    );
    const negatives = negativeDenied.get(meta.id) ?? 0;
    return fpMeasurementSchema.parse({
      policy: meta.id,
      benignDenied: [...perVariant.values()].reduce((a, b) => a + b, 0),
      benignWeight: weight,
      negativeDenied: negatives,
      benignVariants: [...perVariant.keys()].sort(),
      fp_score: fpScore(weight, negatives),
    });
  });
}

/** fp_score of a policy that denied nothing in the measurement (the prior mean). */
const fpScore0 = fpScore(0, 0);

const SEVERITY_SHIFT: Record<PolicyMeta['severity'], number> = { critical: -0.4, high: -0.2, medium: 0, low: 0.2 };

/** Standard normal draw (Box-Muller). */
function gaussian(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

type Json = Record<string, unknown>;

function resourceOf(manifest: Json): { resource: string; app: string } {
  const meta = (manifest.metadata ?? {}) as Json;
  const name = String(meta.name);
  const namespace = meta.namespace === undefined ? undefined : String(meta.namespace);
  const labels = (meta.labels ?? {}) as Json;
  const app = String(labels['app.kubernetes.io/name'] ?? name);
  return { resource: namespace ? `${manifest.kind} ${namespace}/${name}` : `${manifest.kind} ${name}`, app: `${namespace ?? ''}/${app}` };
}

export const LOG_END = Date.parse('2026-11-01T00:00:00Z');
const LOG_DAYS = 90;

/** Share of the log's denials that fall on acceptable manifests (spurious ones). */
export const SPURIOUS_SHARE = 0.25;
/** Share of rows whose `accepted` is flipped (reviewer noise): no feature can predict more than about 1 − this. */
export const REVIEWER_NOISE = 0.05;

export async function generateFailureLog(options: {
  config: Config;
  seed: number;
  count: number;
  fpScores: FpMeasurement[];
}): Promise<FailureRecord[]> {
  const { config, seed, count } = options;
  const index = new Map(loadPolicyIndex().map((meta) => [meta.id, meta]));
  const fp = new Map(options.fpScores.map((m) => [m.policy, m.fp_score]));
  const manifests = generateManifests(seed, count);
  const cases = benignCases(loadPositiveFixtures());
  const evaluations = await evaluateCorpus({
    opa: config.opa,
    regoFiles: corpusRegoFiles(),
    dataFiles: [INVENTORY_FILE],
    manifests: [...manifests, ...cases.map((c) => c.manifest)],
  });
  const rng = createRng(seed ^ 0x5eed);
  const when = () => LOG_END - rng.next() * LOG_DAYS * 86_400_000;

  interface Event {
    policy: string;
    message: string;
    manifest: Json;
    time: number;
    /** other policies denying the same manifest */
    coDenials: number;
    spurious: boolean;
  }
  // 1. real problems: denials of generated manifests (one per denied manifest, a second for 30 %)
  const events: Event[] = [];
  evaluations.slice(0, manifests.length).forEach((evaluation, i) => {
    const policies = Object.keys(evaluation.denied).sort();
    if (policies.length === 0) return;
    const draws = policies.length > 1 && rng.chance(0.3) ? 2 : 1;
    const order = policies.map((p) => ({ p, r: rng.next() })).sort((a, b) => a.r - b.r);
    for (const { p } of order.slice(0, draws)) {
      const message = (evaluation.denied[p] as string[])[0] as string;
      events.push({ policy: p, message, manifest: manifests[i] as Json, time: when(), coDenials: policies.length - 1, spurious: false });
    }
  });
  // 2. spurious denials: what the corpus denies on acceptable variants of good manifests, drawn
  //    (with repetition: the same chart is deployed again and again) up to SPURIOUS_SHARE of the log
  const benign = evaluations.slice(manifests.length).flatMap((evaluation, i) =>
    Object.entries(evaluation.denied).map(([policy, messages]) => ({
      policy,
      message: messages[0] as string,
      manifest: (cases[i] as { manifest: Json }).manifest,
      coDenials: Object.keys(evaluation.denied).length - 1,
    })),
  );
  const spuriousCount = benign.length ? Math.round((events.length * SPURIOUS_SHARE) / (1 - SPURIOUS_SHARE)) : 0;
  for (let k = 0; k < spuriousCount; k++) events.push({ ...rng.pick(benign), time: when(), spurious: true });
  events.sort((a, b) => a.time - b.time);

  // 3. replay in time order: the reviewer's decision from what can be observed, reverts, acceptance
  const reverts = new Map<string, number>();
  return events.map((event, n) => {
    const meta = index.get(event.policy) as PolicyMeta;
    const fpScore = fp.get(event.policy) ?? fpScore0;
    const { resource, app } = resourceOf(event.manifest);
    const key = `${event.policy}|${app}`;
    const history = reverts.get(key) ?? 0;
    const score =
      2 * fpScore +
      0.5 * Math.min(history, 4) +
      1 * (1 - meta.reliability) +
      SEVERITY_SHIFT[meta.severity] +
      (event.coDenials === 0 ? 0.4 : -0.1 * Math.min(event.coDenials, 4)) +
      0.3 * gaussian(rng);
    const decision = score > 0.75 ? 'policy_change' : 'manifest_patch';
    const right = event.spurious ? 'policy_change' : 'manifest_patch';
    const accepted = (decision === right) !== rng.chance(REVIEWER_NOISE);
    // a manifest patched for a spurious denial gets reverted by its developers most of the time;
    // a patch for a real problem occasionally breaks the app and is reverted too
    if (decision === 'manifest_patch' && (event.spurious ? rng.chance(0.7) : rng.chance(0.03))) reverts.set(key, history + 1);
    return failureRecordSchema.parse({
      id: `fail-${seed}-${n}`,
      time: new Date(Math.round(event.time / 1000) * 1000).toISOString(),
      policy: event.policy,
      resource,
      failure_type: FAILURE_TYPE_OF_CATEGORY[meta.category],
      message: event.message,
      severity: meta.severity,
      developer_revert_history: history,
      fp_score: fpScore,
      policy_reliability: meta.reliability,
      co_denials: event.coDenials,
      decision,
      accepted,
      source: 'simulated',
    });
  });
}

const toJsonl = (rows: readonly unknown[]) => `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { seed: { type: 'string', default: '7' }, count: { type: 'string', default: '3000' } } });
  const seed = Number(values.seed);
  const count = Number(values.count);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: expected a whole number ≥ 0, got "${values.seed}"`);
  if (!Number.isInteger(count) || count <= 0) throw new Error(`--count: expected a whole number > 0, got "${values.count}"`);
  const config = loadConfig();
  const started = performance.now();
  const fpScores = await measureFpScores(config);
  const rows = await generateFailureLog({ config, seed, count, fpScores });
  const feedback = existsSync(FAILURE_LOG_FILE)
    ? readJsonl(FAILURE_LOG_FILE, failureRecordSchema).filter((row) => row.source !== 'simulated')
    : [];
  writeAtomic(FP_SCORES_FILE, toJsonl(fpScores));
  writeAtomic(FAILURE_LOG_FILE, toJsonl([...rows, ...feedback]));
  const changes = rows.filter((r) => r.decision === 'policy_change').length;
  process.stderr.write(
    `[failures] ${rows.length} simulated rows (+${feedback.length} real rows kept), ${changes} policy_change, ` +
      `${rows.filter((r) => r.accepted).length} accepted, in ${((performance.now() - started) / 1000).toFixed(1)}s\n` +
      `[failures] fp_score > 0.3 for: ${
        fpScores
          .filter((m) => m.fp_score > 0.3)
          .map((m) => `${m.policy} (${m.fp_score})`)
          .join(', ') || 'none'
      }\n`,
  );
}
