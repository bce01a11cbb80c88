/**
 * Drafting benchmark: every request in datasets/draft-requests/design/ goes through the real
 * draftPolicy workflow (Weaviate retrieval, offline generator, real OPA, guardrails) until it awaits
 * approval; then the draft is checked against the request's held-out manifests (never shown to the
 * generator) with real OPA, and rejected to clean up.
 *
 * Prints, per request: time from request to awaiting-approval, guardrail verdict, held-out
 * correctness; and overall: how many produce a correct draft offline, p50/max time (target ≤ 10 s).
 * Baseline in the same run: the share of held-out checks an "allow everything" policy gets right.
 *
 *   npm run bench:drafting            (starts the engines if they are not up)
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { opaEval } from '../activities/opa/opa';
import { DRAFT_REQUESTS_DESIGN_DIR, POLICIES_DIR } from '../datasets/paths';
import { loadConfig } from '../infra/config';
import { up } from '../infra/engines';
import { DraftsClient } from '../workers/drafts';
import { createWorkers } from '../workers/main';
import { temporalClient } from '../workers/temporal';

const dir = DRAFT_REQUESTS_DESIGN_DIR;
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const publish = mkdtempSync(join(tmpdir(), 'pac-bench-publish-'));
const config = loadConfig({ ...process.env, PAC_PUBLISH_DIR: publish, PAC_TASK_QUEUE_DRAFTING: `bench-drafting-${Date.now()}` });
await up(config);
const worker = await createWorkers(config, ['drafting']);
const running = worker.run();
const client = await temporalClient(config);
const drafts = new DraftsClient(client, config);

type Row = { file: string; seconds: number; phase: string; policyId: string; heldOut: string; correct: boolean; note: string };
const rows: Row[] = [];
let baselineRight = 0;
let checks = 0;
for (const file of files) {
  const fixture = parse(readFileSync(join(dir, file), 'utf8')) as { request: object; check: { deny: object[]; allow: object[] } };
  // a fresh draft per run: the requester names the run
  const request = { ...fixture.request, requester: `bench-${Date.now()}` };
  const t0 = performance.now();
  const { draftId } = await drafts.propose(request);
  const status = await drafts.waitFor(draftId, 'guardrails', { pollMs: 50 });
  const seconds = (performance.now() - t0) / 1000;
  const draft = status.draft ?? status.attempts[status.attempts.length - 1]?.draft;
  let heldOut = '-';
  let correct = false;
  checks += fixture.check.deny.length + fixture.check.allow.length;
  baselineRight += fixture.check.allow.length;
  if (draft) {
    const work = mkdtempSync(join(tmpdir(), 'pac-bench-draft-'));
    writeFileSync(join(work, 'policy.rego'), draft.policy);
    const key = draft.packageName.replace(/^kpc\.policies\./, '');
    const manifests = [...fixture.check.deny, ...fixture.check.allow];
    // one opa eval per held-out manifest
    const verdicts: boolean[] = [];
    for (const m of manifests) {
      const one = await opaEval({
        opa: config.opa,
        query: `count(data.kpc.policies.${key}.deny) > 0`,
        dataPaths: [join(POLICIES_DIR, 'lib', 'k8s.rego'), join(work, 'policy.rego')],
        input: m,
      });
      verdicts.push(one.result[0]?.expressions[0]?.value === true);
    }
    rmSync(work, { recursive: true, force: true });
    const denyOk = fixture.check.deny.filter((_, i) => verdicts[i]).length;
    const allowOk = fixture.check.allow.filter((_, i) => !verdicts[fixture.check.deny.length + i]).length;
    heldOut = `deny ${denyOk}/${fixture.check.deny.length} allow ${allowOk}/${fixture.check.allow.length}`;
    correct = status.phase === 'awaiting-approval' && denyOk === fixture.check.deny.length && allowOk === fixture.check.allow.length;
  }
  if (status.phase === 'awaiting-approval') await drafts.reject(draftId, { reviewer: 'bench', reason: 'benchmark cleanup' });
  rows.push({
    file,
    seconds,
    phase: status.phase,
    policyId: draft?.policyId ?? '-',
    heldOut,
    correct,
    note:
      status.phase === 'failed'
        ? status.reasons.slice(0, 2).join('; ').slice(0, 160)
        : draft?.constraint
          ? `${draft.constraint.operator} ${draft.constraint.path.join('.')}`
          : '',
  });
  process.stdout.write(
    `${file.padEnd(36)} ${seconds.toFixed(2).padStart(6)} s  ${status.phase.padEnd(17)} ${(draft?.policyId ?? '-').padEnd(44)} ${heldOut.padEnd(22)} ${correct ? 'correct' : 'WRONG'}\n`,
  );
}
const times = rows.map((r) => r.seconds).sort((a, b) => a - b);
const correct = rows.filter((r) => r.correct).length;
const passed = rows.filter((r) => r.phase === 'awaiting-approval').length;
const summary = {
  requests: rows.length,
  passedGuardrails: passed,
  correctOffline: correct,
  secondsToAwaitingApproval: { p50: times[Math.floor(times.length / 2)], max: times[times.length - 1], target: 10 },
  heldOutAccuracyOfAllowAllBaseline: baselineRight / checks,
};
process.stdout.write(`\n${JSON.stringify(summary, null, 2)}\n`);
for (const r of rows.filter((x) => !x.correct)) process.stdout.write(`not correct: ${r.file}: ${r.phase} ${r.note}\n`);
await client.connection.close();
await worker.shutdown();
await running;
rmSync(publish, { recursive: true, force: true });
