/**
 * The blast radius of a draft: what it would newly deny among the known-good corpus fixtures
 * (allowed by every corpus policy, by construction) and among the workloads the platform observed
 * recently (activities/observations: the last BLAST_WINDOW.days days, at most BLAST_WINDOW.limit
 * records, newest first, one per manifest digest; a workload some policy already denied when it
 * was observed is not newly denied). The blast radius is the larger of the two shares, so neither
 * population hides the other; the guardrail holds a draft whose blast radius is above the
 * request's `maxBlastRadius` (default DEFAULT_MAX_BLAST_RADIUS, the seed's 5 % gate).
 *
 * measureBlastRadius is pure (the denial messages come from the sandboxed draft engine, see
 * validate.ts); loadObservedWorkloads reads the store.
 */
import { type ObservationsConfig, readObservations } from '../observations';
import type { BlastRadius, BlastResource } from './schemas';

/** The seed's false-positive gate: a draft may newly deny at most 5 % of either population. */
export const DEFAULT_MAX_BLAST_RADIUS = 0.05;
/** The recent window of observed workloads read for the blast radius. */
export const BLAST_WINDOW = { days: 7, limit: 2_000 } as const;
/** How many newly denied resources the report lists (the count of the rest is kept). */
export const RESOURCE_LIST_LIMIT = 50;

/** A workload from the observation store, as the blast radius needs it. */
export interface ObservedWorkload {
  kind: string;
  namespace: string | null;
  name: string | null;
  /** where it was observed: "<source> <origin>" */
  ref: string;
  manifest: unknown;
  /** some policy denied it when it was observed */
  alreadyDenied: boolean;
}

export interface ObservedWindow {
  since: string;
  limit: number;
  workloads: ObservedWorkload[];
}

/** The recent window of the observation store, newest first, bounded; an empty or missing store gives no workloads. */
export function loadObservedWorkloads(
  config: ObservationsConfig,
  options: { now?: number; days?: number; limit?: number } = {},
): ObservedWindow {
  const now = options.now ?? Date.now();
  const days = options.days ?? BLAST_WINDOW.days;
  const limit = options.limit ?? BLAST_WINDOW.limit;
  const since = new Date(now - days * 86_400_000).toISOString();
  const records = readObservations(config, { since, now, dedupe: 'digest' });
  const newest = records.slice(-limit).reverse();
  return {
    since,
    limit,
    workloads: newest.map((o) => ({
      kind: o.kind,
      namespace: o.namespace,
      name: o.name,
      ref: [o.source, o.origin].filter(Boolean).join(' '),
      manifest: o.manifest,
      alreadyDenied: (o.denied ?? []).length > 0,
    })),
  };
}

/** kind, namespace and name of a manifest (null where it has none). */
export function identityOf(manifest: unknown): Pick<BlastResource, 'kind' | 'namespace' | 'name'> {
  const m = (manifest ?? {}) as { kind?: unknown; metadata?: { namespace?: unknown; name?: unknown } };
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return { kind: text(m.kind) ?? '(no kind)', namespace: text(m.metadata?.namespace), name: text(m.metadata?.name) };
}

export const percent = (share: number) => `${Number((share * 100).toFixed(1))} %`;

/** "Deployment prod/web" or "ClusterRole admin" or "Pod (unnamed)". */
export const resourceName = (r: Pick<BlastResource, 'kind' | 'namespace' | 'name'>) =>
  `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? '(unnamed)'}`;

export interface BlastInput {
  /** every known-good fixture with the draft's denial messages for it (empty: allowed) */
  fixtures: { name: string; manifest: unknown; messages: string[] }[];
  observed: { since: string; limit: number; workloads: (ObservedWorkload & { messages: string[] })[] };
  /** the request's maxBlastRadius */
  max?: number;
}

export function measureBlastRadius(input: BlastInput): BlastRadius {
  const resources: BlastResource[] = [];
  let fixturesDenied = 0;
  for (const fixture of input.fixtures) {
    if (!fixture.messages.length) continue;
    fixturesDenied++;
    resources.push({ ...identityOf(fixture.manifest), source: 'fixture', ref: fixture.name, message: fixture.messages[0] as string });
  }
  let observedDenied = 0;
  let alreadyDenied = 0;
  for (const w of input.observed.workloads) {
    if (w.alreadyDenied) {
      alreadyDenied++;
      continue;
    }
    if (!w.messages.length) continue;
    observedDenied++;
    resources.push({
      kind: w.kind,
      namespace: w.namespace,
      name: w.name,
      source: 'observed',
      ref: w.ref,
      message: w.messages[0] as string,
    });
  }
  const share = (denied: number, checked: number) => (checked ? denied / checked : 0);
  const fixtures = { checked: input.fixtures.length, newlyDenied: fixturesDenied, share: share(fixturesDenied, input.fixtures.length) };
  const observedChecked = input.observed.workloads.length - alreadyDenied;
  const observed = {
    checked: observedChecked,
    newlyDenied: observedDenied,
    share: share(observedDenied, observedChecked),
    since: input.observed.since,
    limit: input.observed.limit,
    alreadyDenied,
  };
  const max = input.max ?? DEFAULT_MAX_BLAST_RADIUS;
  const maxFrom = input.max === undefined ? ('default' as const) : ('request' as const);
  const total = Math.max(fixtures.share, observed.share);
  const summary = `blast radius ${percent(total)} (max ${percent(max)}${maxFrom === 'default' ? ', default' : ''}): newly denies ${fixtures.newlyDenied}/${fixtures.checked} known-good fixtures, ${observed.newlyDenied}/${observed.checked} observed workloads`;
  return {
    share: total,
    max,
    maxFrom,
    fixtures,
    observed,
    resources: resources.slice(0, RESOURCE_LIST_LIMIT),
    moreResources: Math.max(0, resources.length - RESOURCE_LIST_LIMIT),
    summary,
  };
}

/** Within the gate: something was checked, and the blast radius is at most the maximum. */
export function blastRadiusPasses(b: BlastRadius): boolean {
  return b.fixtures.checked + b.observed.checked > 0 && b.share <= b.max + 1e-12;
}

/** The resources, one line each, at most `limit`, with the denial message unless `short` (the CLI, the guardrail detail, the Temporal UI). */
export function blastResourceLines(b: BlastRadius, limit = 10, short = false): string[] {
  const lines = b.resources.slice(0, limit).map((r) => `${resourceName(r)} [${r.source}: ${r.ref}]${short ? '' : ` — ${r.message}`}`);
  const more = b.resources.length - Math.min(limit, b.resources.length) + b.moreResources;
  if (more > 0) lines.push(`… and ${more} more`);
  return lines;
}

/**
 * The Markdown shown as the workflow's current details in the Temporal UI while the draft awaits
 * a decision: what it would deny, and what it replaces.
 */
export function reviewDetails(b: BlastRadius | undefined, policyId: string, replaces: string | undefined): string {
  const lines = [
    `**Draft ${policyId}**${replaces ? ` — replaces the existing policy **${replaces}** (its files and index line are overwritten on publication)` : ' — a new policy'}`,
  ];
  if (b) {
    lines.push(
      '',
      `**Blast radius ${percent(b.share)}** (max ${percent(b.max)}${b.maxFrom === 'default' ? ', the default gate' : ', from the request'})`,
    );
    lines.push(
      `- known-good fixtures newly denied: ${b.fixtures.newlyDenied}/${b.fixtures.checked} (${percent(b.fixtures.share)})`,
      `- observed workloads newly denied: ${b.observed.newlyDenied}/${b.observed.checked} (${percent(b.observed.share)}; since ${b.observed.since.slice(0, 10)}, ${b.observed.alreadyDenied} already denied)`,
    );
    for (const line of blastResourceLines(b)) lines.push(`  - ${line}`);
  }
  return lines.join('\n');
}
