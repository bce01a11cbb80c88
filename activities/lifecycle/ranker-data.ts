/**
 * The ranker's data: what one training row is (an observed or a simulated manifest with the
 * policies that deny it), which policies it is labelled with (the corpus plus every policy the
 * drafting loop published, with their kinds and severity), how rows are labelled (the policy
 * engine on corpus ∪ published, so an approved draft labels manifests from the next retrain on),
 * and the foreign evaluation set (datasets/foreign/workloads, labelled the same way at evaluation
 * time, never trained or tuned on).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadPolicyIndex, readManifest } from '../../datasets/load';
import { FOREIGN_WORKLOADS_DIR } from '../../datasets/paths';
import { type PolicyMeta, policyMetaSchema } from '../../datasets/schemas';
import type { Config } from '../../infra/config';
import { corpusEngine } from '../engine';
import type { PolicyInfo } from '../training/ranker';

/** Where a training row came from: what the platform observed, or the simulated bootstrap set. */
export const ROW_ORIGINS = ['observed', 'simulated'] as const;
export type RowOrigin = (typeof ROW_ORIGINS)[number];

/** One row of the ranker's training data (the dataset's JSON lines). */
export const rankerRowSchema = z.strictObject({
  id: z.string().min(1),
  kind: z.string().min(1),
  manifest: z.record(z.string(), z.unknown()),
  /** ids of the policies (corpus ∪ published) that deny it, sorted */
  deny: z.array(z.string()),
  origin: z.enum(ROW_ORIGINS),
  /** the observation's source (cli, api, ci, import, admission), or "simulated" */
  source: z.string().min(1),
  /** the observation's time (an import: its import time); null for a simulated row */
  time: z.string().nullable(),
  /** the skeleton digest: near-identical manifests share it and stay on one side of the split */
  group: z.string().min(1),
});
export type RankerRow = z.infer<typeof rankerRowSchema>;

/** The policies a training labels with, written beside the dataset (`<dataset>.policies.json`). */
export const rankerPoliciesSchema = z.object({
  /** the engine's policy digest (corpus ∪ published) */
  corpusDigest: z.string(),
  policies: z.array(
    z.object({
      id: z.string().min(1),
      kinds: z.array(z.string()).min(1),
      severity: z.string(),
      /** the feature names of its metadata (the heuristic baseline reads them) */
      features: z.array(z.string()),
      reliability: z.number(),
      published: z.boolean(),
    }),
  ),
});
export type RankerPolicies = z.infer<typeof rankerPoliciesSchema>;

export const policiesPathOf = (datasetPath: string) => datasetPath.replace(/\.jsonl$/, '.policies.json');

/** The metadata of the published policies (dir mode: <publish dir>/policies/index.jsonl); a bad line is skipped with a note. */
export function publishedPolicyIndex(config: Pick<Config, 'drafting'>, onProblem?: (message: string) => void): PolicyMeta[] {
  if (config.drafting.publish.mode !== 'dir') return [];
  const file = join(config.drafting.publish.dir, 'policies', 'index.jsonl');
  if (!existsSync(file)) return [];
  const metas: PolicyMeta[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        metas.push(policyMetaSchema.parse(JSON.parse(line)));
      } catch (error) {
        onProblem?.(
          `${file}:${i + 1}: not a policy entry (${(error as Error).message.split('\n')[0]}); labelled as applying to every kind`,
        );
      }
    });
  return metas;
}

/**
 * Kinds and severity of every policy the engine holds: a published entry replaces the corpus entry
 * of the same id; a policy with no metadata applies to every kind, severity medium.
 */
export function policyInfoOf(config: Pick<Config, 'drafting'>, engineIds: readonly string[]): RankerPolicies['policies'] {
  const corpus = new Map(loadPolicyIndex().map((m) => [m.id, m]));
  const published = new Map(publishedPolicyIndex(config).map((m) => [m.id, m]));
  return [...engineIds].sort().map((id) => {
    const meta = published.get(id) ?? corpus.get(id);
    return {
      id,
      kinds: meta ? [...meta.kinds] : ['*'],
      severity: meta?.severity ?? 'medium',
      features: meta ? [...meta.features] : [],
      reliability: meta?.reliability ?? 0.5,
      published: published.has(id),
    };
  });
}

export const toPolicyInfo = (policies: RankerPolicies['policies']): PolicyInfo[] =>
  policies.map(({ id, kinds, severity }) => ({ id, kinds, severity }));

export interface Labeller {
  /** the policies the labels come from: the corpus and the published ones */
  readonly policyIds: readonly string[];
  readonly corpusDigest: string;
  /** the ids of the policies that deny each manifest, sorted */
  label(manifests: readonly unknown[], onProgress?: (done: number, total: number) => void): Promise<string[][]>;
  close(): Promise<void>;
}

/** Manifests per engine call, so that progress (a heartbeat) is reported while labelling. */
const LABEL_BATCH = 1000;

/** Labels by the policy engine on the corpus and every published policy (`includePublished: false`: the committed corpus alone). */
export async function openLabeller(config: Config, options: { threads?: number; includePublished?: boolean } = {}): Promise<Labeller> {
  const engine = await corpusEngine(config, { sampleTimingEvery: 0, includePublished: true, ...options });
  return {
    policyIds: engine.policyIds,
    corpusDigest: engine.corpusDigest,
    async label(manifests, onProgress) {
      const out: string[][] = [];
      for (let start = 0; start < manifests.length; start += LABEL_BATCH) {
        const verdicts = await engine.evaluate(manifests.slice(start, start + LABEL_BATCH));
        for (const v of verdicts) out.push(Object.keys(v.denied).sort());
        onProgress?.(out.length, manifests.length);
      }
      return out;
    },
    close: () => engine.close(),
  };
}

export interface ForeignManifest {
  /** the file name under datasets/foreign/workloads */
  file: string;
  manifest: Record<string, unknown>;
}

/** The foreign workloads (datasets/foreign/workloads: 83 manifests written by hand, for evaluation only). */
export function loadForeignWorkloads(dir = FOREIGN_WORKLOADS_DIR): ForeignManifest[] {
  return readdirSync(dir)
    .filter((name) => /\.(ya?ml|json)$/i.test(name))
    .sort()
    .map((file) => ({ file, manifest: readManifest(join(dir, file)) as Record<string, unknown> }));
}
