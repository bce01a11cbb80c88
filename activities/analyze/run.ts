/**
 * The analysis as a stream: documents are read source by source, gathered into batches of at most
 * `batchSize` objects, evaluated (at most `inFlight` batches at a time) and handed to the sink in
 * input order — resources, problems, skipped files and the end of each file. Memory holds a few
 * batches, whatever the size of the input: peak RSS does not grow with the number of documents.
 */

import { isObject } from '../../lib/json';
import { NOT_AN_OBJECT } from '../../lib/manifest-stream';
import type { DocumentEntry, ManifestDocument } from './documents';
import type { Evaluator, PolicyParams } from './evaluate';
import { applyExemptions } from './exemptions';
import type { InputSource } from './input';
import type { AnalysisObserver, ObservedVerdict } from './observe';
import type { Catalogue } from './policies';
import type { Finding, Problem, ResourceReport, Severity, Skipped, Summary } from './report';
import { SCHEMA_RULE, schemaFinding } from './schema-rule';
import { atOrAbove } from './severity';

export interface AnalysisSink {
  resource(resource: ResourceReport): void | Promise<void>;
  problem(problem: Problem): void | Promise<void>;
  skipped(skipped: Skipped): void | Promise<void>;
  /** after the last event of a source */
  fileEnd?(source: string): void | Promise<void>;
}

export interface AnalysisOptions {
  /** the policy ids to evaluate (policies.ts selectPolicies) */
  policies: readonly string[];
  params?: PolicyParams;
  /** data.inventory (activities/analyze/inventory.ts) */
  inventory?: unknown;
  threshold: Severity;
  /** files of a directory that hold no Kubernetes object are errors, not skipped */
  strict?: boolean;
  /** the ranker's top-k for a manifest (only when ranking was asked for) */
  rank?: (manifest: Record<string, unknown>) => { policy: string; score: number }[];
  /** records each analysed object as an observation (observe.ts); the report is unchanged */
  observer?: AnalysisObserver;
  /** also check every object against the Kubernetes schema (schema-rule.ts) */
  schema?: boolean;
  /** objects per evaluation batch (default 256) */
  batchSize?: number;
  /** batches evaluated at a time (default 2) */
  inFlight?: number;
}

export type Counts = Omit<Summary, 'threshold' | 'policies' | 'exitCode' | 'seconds'>;

type Event = { object: ManifestDocument; index: number } | { problem: Problem } | { skipped: Skipped } | { fileEnd: string };

interface Batch {
  events: Event[];
  manifests: Record<string, unknown>[];
  verdicts?: Promise<ObservedVerdict[]>;
}

export function describeResource(manifest: Record<string, unknown>): Pick<ResourceReport, 'kind' | 'name' | 'namespace' | 'resource'> {
  const meta = isObject(manifest.metadata) ? manifest.metadata : {};
  const kind = String(manifest.kind);
  const name =
    typeof meta.name === 'string' && meta.name ? meta.name : typeof meta.generateName === 'string' ? `${meta.generateName}*` : '<unnamed>';
  const namespace = typeof meta.namespace === 'string' && meta.namespace ? meta.namespace : undefined;
  return { kind, name, ...(namespace ? { namespace } : {}), resource: namespace ? `${kind} ${namespace}/${name}` : `${kind} ${name}` };
}

/** The report of one object from its verdict: findings by severity, exemptions applied, ranking if asked. */
export function resourceReport(
  object: ManifestDocument,
  denied: Record<string, string[]>,
  catalogue: Catalogue,
  selected: ReadonlySet<string>,
  rank?: AnalysisOptions['rank'],
  schema = false,
): ResourceReport {
  const described = describeResource(object.manifest);
  const findings: Finding[] = [];
  for (const [policy, messages] of Object.entries(denied)) {
    if (!selected.has(policy) || messages.length === 0) continue;
    const rule = catalogue.rules.get(policy);
    findings.push({
      policy,
      title: rule?.title ?? policy,
      severity: rule?.severity ?? 'medium',
      pss: rule?.pss ?? null,
      messages: [...messages].sort(),
    });
  }
  const schemaProblems = schema ? schemaFinding(object.manifest) : undefined;
  if (schemaProblems) findings.push(schemaProblems);
  const isPolicy = (id: string) => (schema && id === SCHEMA_RULE.id) || (catalogue.rules.has(id) && catalogue.policyIds.includes(id));
  return {
    source: object.source,
    line: object.line,
    ...(object.item === undefined ? {} : { item: object.item }),
    ...described,
    findings: applyExemptions(object.manifest, described.resource, findings, isPolicy),
    ...(rank ? { ranked: rank(object.manifest) } : {}),
  };
}

/**
 * The exit code of an analysis: 2 when a document could not be read (the findings are then
 * incomplete), else 3 when an active finding is at or above the threshold, else 0.
 */
/** A policy that could not evaluate an object is a problem of that object (file:line); the other policies' findings stand. */
export function failedPolicies(object: ManifestDocument, failed: Record<string, string> | undefined): Problem[] {
  return Object.entries(failed ?? {}).map(([policy, why]) => ({
    source: object.source,
    line: object.line,
    message: `policy ${policy} could not evaluate ${describeResource(object.manifest).resource} (${why.split('\n')[0]}); the other policies were evaluated`,
  }));
}

export function analysisExitCode(counts: Pick<Counts, 'problems' | 'atOrAboveThreshold'>): 0 | 2 | 3 {
  return counts.problems > 0 ? 2 : counts.atOrAboveThreshold > 0 ? 3 : 0;
}

const emptyCounts = (): Counts => ({
  files: 0,
  resources: 0,
  clean: 0,
  findings: { critical: 0, high: 0, medium: 0, low: 0 },
  exempted: 0,
  atOrAboveThreshold: 0,
  problems: 0,
  skipped: 0,
});

/** What a file that holds no object is: skipped (directory mode) or a problem (named file, or --strict). */
function noObjects(input: InputSource, buffered: Problem[], strict: boolean): Event[] {
  const onlyNotObjects = buffered.every((p) => p.message.endsWith(NOT_AN_OBJECT));
  if (input.fromDirectory && !strict && onlyNotObjects)
    return [{ skipped: { source: input.source, reason: buffered.length ? 'not a Kubernetes object' : 'no YAML or JSON document' } }];
  if (buffered.length === 0 && !strict) return [{ skipped: { source: input.source, reason: 'no YAML or JSON document' } }];
  if (buffered.length === 0)
    return [{ problem: { source: input.source, line: 0, message: 'no Kubernetes object in the file (--strict)' } }];
  return buffered.map((problem) => ({ problem }));
}

export async function runAnalysis(
  sources: Iterable<InputSource>,
  entriesOf: (input: InputSource) => AsyncIterable<DocumentEntry>,
  evaluator: Evaluator,
  catalogue: Catalogue,
  options: AnalysisOptions,
  sink: AnalysisSink,
): Promise<Counts> {
  const counts = emptyCounts();
  const selected = new Set(options.policies);
  const batchSize = options.batchSize ?? 256;
  const inFlight = Math.max(1, options.inFlight ?? 2);
  const request = {
    policies: options.policies,
    ...(options.params ? { params: options.params } : {}),
    ...(options.inventory !== undefined ? { inventory: options.inventory } : {}),
  };
  const queue: Batch[] = [];
  let current: Batch = { events: [], manifests: [] };

  const emit = async (batch: Batch) => {
    const verdicts = (await batch.verdicts) ?? [];
    for (const event of batch.events) {
      if ('object' in event) {
        const verdict = verdicts[event.index] ?? { denied: {} };
        const report = resourceReport(event.object, verdict.denied, catalogue, selected, options.rank, options.schema);
        options.observer?.observe(event.object, verdict, report.ranked);
        for (const problem of failedPolicies(event.object, verdict.failed)) {
          counts.problems++;
          await sink.problem(problem);
        }
        counts.resources++;
        let active = 0;
        for (const f of report.findings) {
          if (f.exempted) counts.exempted++;
          else {
            active++;
            counts.findings[f.severity]++;
            if (atOrAbove(f.severity, options.threshold)) counts.atOrAboveThreshold++;
          }
        }
        if (active === 0) counts.clean++;
        await sink.resource(report);
      } else if ('problem' in event) {
        counts.problems++;
        await sink.problem(event.problem);
      } else if ('skipped' in event) {
        counts.skipped++;
        await sink.skipped(event.skipped);
      } else await sink.fileEnd?.(event.fileEnd);
    }
  };
  const dispatch = async () => {
    const batch = current;
    current = { events: [], manifests: [] };
    batch.verdicts = batch.manifests.length ? evaluator.verdicts(batch.manifests, request) : Promise.resolve([]);
    // a rejected evaluation is awaited (and thrown) in order by emit; keep it from being "unhandled" meanwhile
    batch.verdicts.catch(() => {});
    queue.push(batch);
    while (queue.length > inFlight) await emit(queue.shift() as Batch);
  };
  const push = async (event: Event) => {
    current.events.push(event);
    if (current.manifests.length >= batchSize) await dispatch();
  };

  for (const input of sources) {
    counts.files++;
    let objects = 0;
    const buffered: Problem[] = [];
    for await (const entry of entriesOf(input)) {
      if (entry.problem) {
        if (objects === 0) buffered.push(entry.problem);
        else await push({ problem: entry.problem });
        continue;
      }
      if (objects++ === 0) for (const problem of buffered.splice(0)) await push({ problem });
      current.manifests.push(entry.object.manifest);
      await push({ object: entry.object, index: current.manifests.length - 1 });
    }
    if (objects === 0) for (const event of noObjects(input, buffered, options.strict ?? false)) await push(event);
    await push({ fileEnd: input.source });
  }
  await dispatch();
  while (queue.length) await emit(queue.shift() as Batch);
  return counts;
}
