/**
 * Drafting benchmark: every request of a request set goes through the real draftPolicy workflow
 * (Weaviate retrieval, the configured generator, real OPA, guardrails) until it awaits approval or
 * ends; then the draft is checked against the request's held-out check manifests (never shown to
 * the generator) with real OPA, and rejected to clean up.
 *
 * Two sets, never mixed and reported separately:
 *   design   datasets/draft-requests/design/   (20 requests written while the lexicon was built)
 *   heldout  datasets/draft-requests/heldout/  (67 requests written without reading the generator)
 *
 * A request is correct only when the draft passed the guardrails and every deny and allow check
 * manifest is judged right. A draft that stops to ask about a conflict between its intent and its
 * examples is not correct; it is counted apart ("asked on conflict").
 *
 * Prints per request: time from request to awaiting approval (or the end), the outcome, the held-out
 * verdicts and the draft's blast radius (the share of known-good fixtures and of recently observed
 * workloads it would newly deny); per set: correct requests (by origin), per-manifest accuracy next
 * to an "allow everything" baseline from the same run, the blast radius of the drafts (p50/p95/max,
 * how many newly deny anything, how many the blast-radius gate held), p50/p95/max time (target p95
 * ≤ 10 s offline), and how many intents name no field of the generator's vocabulary.
 *
 *   npm run bench:drafting                         both sets
 *   npm run bench:drafting -- --set heldout        one set
 *   npm run bench:drafting -- --set heldout --only cpu --json out.json
 *   npm run bench:drafting -- --max-blast-radius 0.15   what-if: requests without maxBlastRadius get 0.15
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { findMentions, kindsIn } from '../activities/drafting/fields';
import { describeConstraint } from '../activities/drafting/rego-writer';
import { DRAFT_OUTCOMES, type DraftStatus } from '../activities/drafting/schemas';
import { opaEval } from '../activities/opa/eval';
import { DRAFT_REQUESTS_DESIGN_DIR, DRAFT_REQUESTS_HELDOUT_DIR, POLICIES_DIR } from '../datasets/paths';
import { loadConfig } from '../infra/config';
import { up } from '../infra/engines';
import { DraftsClient } from '../workers/drafts';
import { createWorkers } from '../workers/main';
import { temporalClient } from '../workers/temporal';

const SETS = { design: DRAFT_REQUESTS_DESIGN_DIR, heldout: DRAFT_REQUESTS_HELDOUT_DIR } as const;
type SetName = keyof typeof SETS;

const { values: args } = parseArgs({
  options: {
    set: { type: 'string', default: 'all' },
    only: { type: 'string' },
    json: { type: 'string' },
    'max-blast-radius': { type: 'string' },
  },
});
const whatIfMax = args['max-blast-radius'] === undefined ? undefined : Number(args['max-blast-radius']);
if (whatIfMax !== undefined && !(whatIfMax >= 0 && whatIfMax <= 1))
  throw new Error(`--max-blast-radius ${args['max-blast-radius']}: expected a share from 0 to 1`);
const chosen: SetName[] = args.set === 'all' ? ['design', 'heldout'] : [args.set as SetName];
for (const name of chosen) if (!(name in SETS)) throw new Error(`--set ${name}: expected design, heldout or all`);

type Fixture = { request: { intent: string }; check: { deny: object[]; allow: object[] }; origin?: string };
type Outcome = 'correct' | 'wrong' | 'asked' | 'failed';
type Row = {
  set: SetName;
  file: string;
  origin: string;
  conflict: boolean;
  seconds: number;
  phase: string;
  outcome: Outcome;
  policyId: string;
  denyOk: number;
  denyTotal: number;
  allowOk: number;
  allowTotal: number;
  namesNoField: boolean;
  /** the gates the first attempt failed (novel: a corpus policy already does it; blast-radius: it newly denies too much) */
  firstAttemptGates: string[];
  /** the blast radius of the draft shown (the one awaiting approval, else the last attempt's); null: not measured */
  blast: { share: number; fixtures: string; observed: string; resources: string[] } | null;
  note: string;
};

const publish = mkdtempSync(join(tmpdir(), 'pac-bench-publish-'));
const config = loadConfig({ ...process.env, PAC_PUBLISH_DIR: publish, PAC_TASK_QUEUE_DRAFTING: `bench-drafting-${Date.now()}` });
await up(config);
const worker = await createWorkers(config, ['drafting']);
const running = worker.run();
const client = await temporalClient(config);
const drafts = new DraftsClient(client, config);
const ENDED: readonly string[] = ['awaiting-approval', ...DRAFT_OUTCOMES];

/** Polls the draft until it awaits approval or has ended; a workflow that itself fails (not a draft outcome) throws. */
async function settle(draftId: string, timeoutMs = 180_000): Promise<DraftStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await drafts.status(draftId);
    if (ENDED.includes(status.phase)) return status;
    if (Date.now() > deadline) throw new Error(`${draftId} still in phase ${status.phase} after ${timeoutMs / 1000} s`);
    const closed = await client.workflow.getHandle(draftId).describe();
    if (closed.status.name !== 'RUNNING') throw new Error(`${draftId}: the workflow ended ${closed.status.name} in phase ${status.phase}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Whether the policy denies each manifest (one opa eval per manifest, the way admission sees them). */
async function verdicts(policy: string, packageName: string, manifests: object[]): Promise<boolean[]> {
  const work = mkdtempSync(join(tmpdir(), 'pac-bench-draft-'));
  try {
    writeFileSync(join(work, 'policy.rego'), policy);
    const key = packageName.replace(/^kpc\.policies\./, '');
    const out: boolean[] = [];
    for (const m of manifests) {
      const one = await opaEval({
        opa: config.opa,
        query: `count(data.kpc.policies.${key}.deny) > 0`,
        dataPaths: [join(POLICIES_DIR, 'lib', 'k8s.rego'), join(work, 'policy.rego')],
        input: m,
      });
      out.push(one.result[0]?.expressions[0]?.value === true);
    }
    return out;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function runOne(set: SetName, file: string): Promise<Row> {
  const text = readFileSync(join(SETS[set], file), 'utf8');
  const fixture = parse(text) as Fixture;
  const conflict = /conflict:\s*true/.test(text.split('\n')[0] ?? '');
  // a fresh draft per run: the requester names the run
  const request = {
    ...(whatIfMax !== undefined ? { maxBlastRadius: whatIfMax } : {}),
    ...fixture.request,
    requester: `bench-${Date.now()}`,
  };
  const t0 = performance.now();
  const { draftId } = await drafts.propose(request);
  const status = await settle(draftId);
  const seconds = (performance.now() - t0) / 1000;
  const draft = status.draft ?? status.attempts[status.attempts.length - 1]?.draft;
  const asked = status.clarification !== undefined || draft?.clarification !== undefined;
  const { deny, allow } = fixture.check;
  let denyOk = 0;
  let allowOk = 0;
  if (draft) {
    const v = await verdicts(draft.policy, draft.packageName, [...deny, ...allow]);
    denyOk = deny.filter((_, i) => v[i]).length;
    allowOk = allow.filter((_, i) => !v[deny.length + i]).length;
  }
  if (status.phase === 'awaiting-approval') await drafts.reject(draftId, { reviewer: 'bench', reason: 'benchmark cleanup' }, 'api');
  const passed = status.phase === 'awaiting-approval';
  const right = denyOk === deny.length && allowOk === allow.length;
  const outcome: Outcome = asked ? 'asked' : !passed ? 'failed' : right ? 'correct' : 'wrong';
  const constraint = draft?.constraint;
  const b = (status.report ?? status.attempts[status.attempts.length - 1]?.report)?.blastRadius;
  return {
    set,
    file,
    origin: fixture.origin ?? set,
    conflict,
    seconds,
    phase: status.phase,
    outcome,
    policyId: draft?.policyId ?? '-',
    denyOk,
    denyTotal: deny.length,
    allowOk,
    allowTotal: allow.length,
    namesNoField: findMentions(fixture.request.intent, kindsIn(fixture.request.intent)).length === 0,
    firstAttemptGates: (status.attempts[0]?.guardrails.gates ?? []).filter((g) => !g.passed).map((g) => g.gate),
    blast: b
      ? {
          share: b.share,
          fixtures: `${b.fixtures.newlyDenied}/${b.fixtures.checked}`,
          observed: `${b.observed.newlyDenied}/${b.observed.checked}`,
          resources: b.resources.slice(0, 3).map((r) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? '?'} (${r.source})`),
        }
      : null,
    note: asked
      ? `asked: ${(status.clarification ?? draft?.clarification)?.question ?? ''}`
      : status.phase === 'failed'
        ? [status.attempts[0]?.guardrails.failures.join('; '), ...status.reasons.slice(-1)].filter(Boolean).join(' | ').slice(0, 300)
        : constraint
          ? `${describeConstraint(constraint)}${status.attempts.length > 1 ? ` (attempt ${status.attempts.length}; attempt 1 failed: ${status.attempts[0]?.guardrails.failures.join('; ').slice(0, 160)})` : ''}`
          : '',
  };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;

function summarise(set: SetName, rows: Row[]) {
  const count = (pred: (r: Row) => boolean) => rows.filter(pred).length;
  const times = rows.map((r) => r.seconds).sort((a, b) => a - b);
  const checks = rows.reduce((n, r) => n + r.denyTotal + r.allowTotal, 0);
  const right = rows.reduce((n, r) => n + r.denyOk + r.allowOk, 0);
  const allowAll = rows.reduce((n, r) => n + r.allowTotal, 0);
  const byOrigin = Object.fromEntries(
    [...new Set(rows.map((r) => r.origin))].map((origin) => {
      const mine = rows.filter((r) => r.origin === origin && !r.conflict);
      return [origin, `${mine.filter((r) => r.outcome === 'correct').length}/${mine.length}`];
    }),
  );
  const conflicts = rows.filter((r) => r.conflict);
  return {
    set,
    /** a what-if run: the maxBlastRadius given to requests that set none (null: the requests as they are, default gate 5 %) */
    whatIfMaxBlastRadius: whatIfMax ?? null,
    requests: rows.length,
    correct: count((r) => r.outcome === 'correct'),
    correctShare: rows.length ? count((r) => r.outcome === 'correct') / rows.length : 0,
    wrong: count((r) => r.outcome === 'wrong'),
    failedGuardrailsOrNoField: count((r) => r.outcome === 'failed'),
    askedOnConflict: `${conflicts.filter((r) => r.outcome === 'asked').length}/${conflicts.length}`,
    askedWithoutConflict: count((r) => r.outcome === 'asked' && !r.conflict),
    correctByOrigin_withoutConflicts: byOrigin,
    conflictRequestsCorrect: `${conflicts.filter((r) => r.outcome === 'correct').length}/${conflicts.length}`,
    perManifestAccuracy: checks ? right / checks : 0,
    perManifestAccuracyOfAllowAllBaseline: checks ? allowAll / checks : 0,
    secondsToAwaitingApproval: { p50: percentile(times, 50), p95: percentile(times, 95), max: times[times.length - 1], targetP95: 10 },
    intentsNamingNoKnownField: count((r) => r.namesNoField),
    notCorrectBecauseFirstDraftWasOnly: {
      duplicateOfCorpusPolicy: count(
        (r) => r.outcome !== 'correct' && r.firstAttemptGates.length > 0 && r.firstAttemptGates.every((g) => g === 'novel'),
      ),
      overBlastRadiusGate: count(
        (r) => r.outcome !== 'correct' && r.firstAttemptGates.length > 0 && r.firstAttemptGates.every((g) => g === 'blast-radius'),
      ),
    },
    blastRadius: blastSummary(rows),
  };
}

/** The blast radius of a set's drafts: of those awaiting approval, and how many the gate held. */
function blastSummary(rows: Row[]) {
  const waiting = rows.filter((r) => r.phase === 'awaiting-approval' && r.blast);
  const shares = waiting.map((r) => r.blast?.share ?? 0).sort((a, b) => a - b);
  const pct = (x: number | undefined) => `${((x ?? 0) * 100).toFixed(1)} %`;
  return {
    measured: rows.filter((r) => r.blast).length,
    awaitingApproval: waiting.length,
    awaitingApprovalShare: { p50: pct(percentile(shares, 50)), p95: pct(percentile(shares, 95)), max: pct(shares[shares.length - 1]) },
    awaitingApprovalNewlyDenyingAnything: waiting.filter((r) => (r.blast?.share ?? 0) > 0).length,
    heldByBlastRadiusGate: rows.filter((r) => r.phase === 'failed' && r.firstAttemptGates.includes('blast-radius')).length,
    observedWorkloadsInWindow: rows.find((r) => r.blast)?.blast?.observed.split('/')[1] ?? '0',
  };
}

const all: Row[] = [];
const summaries = [];
for (const set of chosen) {
  const files = readdirSync(SETS[set])
    .filter((f) => f.endsWith('.yaml') && (!args.only || f.includes(args.only)))
    .sort();
  process.stdout.write(
    `\n== ${set}: ${files.length} requests from ${SETS[set]}${whatIfMax !== undefined ? ` (what-if: maxBlastRadius ${whatIfMax} where the request sets none)` : ''}\n`,
  );
  const rows: Row[] = [];
  for (const file of files) {
    const row = await runOne(set, file).catch(
      (error: Error): Row => ({
        set,
        file,
        origin: set,
        conflict: false,
        seconds: 0,
        phase: 'error',
        outcome: 'failed',
        policyId: '-',
        denyOk: 0,
        denyTotal: 0,
        allowOk: 0,
        allowTotal: 0,
        namesNoField: false,
        firstAttemptGates: [],
        blast: null,
        note: error.message.slice(0, 300),
      }),
    );
    rows.push(row);
    process.stdout.write(
      `${file.padEnd(48)} ${row.seconds.toFixed(2).padStart(6)} s  ${row.phase.padEnd(19)} ${row.policyId.slice(0, 44).padEnd(44)} deny ${row.denyOk}/${row.denyTotal} allow ${row.allowOk}/${row.allowTotal}  blast ${row.blast ? `${(row.blast.share * 100).toFixed(1)} % (fixtures ${row.blast.fixtures}, observed ${row.blast.observed})` : '-'}  ${row.outcome.toUpperCase()}${row.conflict ? ' (conflict)' : ''}\n`,
    );
  }
  all.push(...rows);
  const summary = summarise(set, rows);
  summaries.push(summary);
  process.stdout.write(`\n${JSON.stringify(summary, null, 2)}\n`);
  for (const r of rows.filter((x) => x.outcome !== 'correct'))
    process.stdout.write(`not correct (${set}): ${r.file}: ${r.outcome} ${r.phase} ${r.note}\n`);
}
if (args.json) writeFileSync(args.json, `${JSON.stringify({ summaries, rows: all }, null, 2)}\n`);
await client.connection.close();
await worker.shutdown();
await running;
rmSync(publish, { recursive: true, force: true });
