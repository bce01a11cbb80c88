/**
 * Analysis of Kubernetes objects against the policy corpus, shared by `pac analyze` (streaming,
 * every format: cli/commands/analyze.ts → runAnalysis) and POST /v1/analyze (`analyze` below: one
 * request's text, with the ranker's top-k).
 *
 *   documents.ts  fast multi-document reader (js-yaml, falling back to lib/manifest-stream)
 *   input.ts      files, directories and standard input, big files in blocks
 *   policies.ts   the rules (corpus + exemption checks) and the selection (--policy/--skip/--bundle)
 *   exemptions.ts kpc.io/exempt + kpc.io/exempt-reason
 *   severity.ts   severity order, thresholds, PSS level
 *   evaluate.ts   the one call into the policy engine
 *   run.ts        the streaming pipeline (bounded batches)
 *   rank.ts       champion ranker (MLflow) or heuristic, only when asked for
 *   observe.ts    what an analysis records as observations (on a time budget)
 *   format/       text, json, sarif, junit, github
 *   report.ts     the zod schemas of the records
 */
import type { Config } from '../../infra/config';
import type { DocumentProblem } from '../../lib/manifest-stream';
import type { ObservationSource } from '../observations';
import { documentEntries, type ManifestDocument } from './documents';
import { sharedEvaluator } from './evaluate';
import { inventoryFromObjects } from './inventory';
import { analysisObserver, RecordingBudget } from './observe';
import { cachedChampionRanker, rankManifest } from './rank';
import { describeResource, failedPolicies } from './run';

export { AnalyzeInputError } from './policies';

export interface InputText {
  /** file path, or "-" for standard input */
  source: string;
  text: string;
}

export interface AnalyzedResource {
  source: string;
  /** 1-based line where the document starts */
  line: number;
  resource: string;
  denied: { policy: string; messages: string[] }[];
  ranked: { policy: string; score: number }[];
}

export type AnalyzeError = DocumentProblem;

export interface AnalyzeReport {
  resources: AnalyzedResource[];
  errors: AnalyzeError[];
  /** which ranker ranked: "kpc-policy-ranker v3 (champion)" or the heuristic when there is none */
  ranker: string;
}

/** One recording budget per configuration (one per process in the API): requests share it. */
const budgets = new WeakMap<Config, RecordingBudget>();

export interface AnalyzeOptions {
  top?: number;
  /** record each object as an observation with this source and origin (e.g. api, "POST /v1/analyze") */
  observe?: { source: ObservationSource; origin: string };
}

/**
 * For every Kubernetes object in the texts: the policies that deny it (alphabetical) and the
 * ranker's top-k. A document that does not parse is reported with its line; the others are still
 * analysed.
 */
export async function analyze(config: Config, inputs: readonly InputText[], options: AnalyzeOptions = {}): Promise<AnalyzeReport> {
  const objects: ManifestDocument[] = [];
  const errors: AnalyzeError[] = [];
  for (const input of inputs)
    for (const entry of documentEntries(input.text, input.source)) {
      if (entry.object) objects.push(entry.object);
      else errors.push(entry.problem);
    }
  const [{ ranker, label }, evaluator] = await Promise.all([cachedChampionRanker(config), sharedEvaluator(config)]);
  // cross-object policies see the request's own objects, never the labelling fixture
  const manifests = objects.map((o) => o.manifest);
  const verdicts = objects.length ? await evaluator.verdicts(manifests, { inventory: inventoryFromObjects(manifests) }) : [];
  const top = options.top ?? 5;
  const resources = objects.map((object, i) => ({
    source: object.source,
    line: object.line,
    resource: describeResource(object.manifest).resource,
    denied: Object.entries(verdicts[i]?.denied ?? {})
      .map(([policy, messages]) => ({ policy, messages: [...messages].sort() }))
      .sort((a, b) => a.policy.localeCompare(b.policy)),
    ranked: rankManifest(ranker, object.manifest, top),
  }));
  objects.forEach((object, i) => {
    errors.push(...failedPolicies(object, verdicts[i]?.failed));
  });
  if (options.observe) {
    const { source, origin } = options.observe;
    let budget = budgets.get(config);
    if (!budget) {
      budget = new RecordingBudget();
      budgets.set(config, budget);
    }
    const observer = analysisObserver(config, {
      source,
      corpusDigest: evaluator.corpusDigest,
      ranker: label,
      budget,
      originOf: () => origin,
    });
    objects.forEach((object, i) => {
      observer.observe(object, verdicts[i] ?? { denied: {} }, resources[i]?.ranked);
    });
    observer.finish();
  }
  return { resources, errors, ranker: label };
}
