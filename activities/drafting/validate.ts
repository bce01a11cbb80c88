/**
 * The "opa test" step: proves a draft inside the sandbox (activities/engine/sandbox.ts) — the
 * policy and its tests are parsed and scanned for refused built-ins (network, environment, clock,
 * randomness) before anything runs; then `opa check --strict` and the draft's own tests with
 * coverage, each with the sandbox capabilities, an empty environment, a timeout and a memory cap;
 * then the draft, compiled on the fly with the corpus library by the policy engine (draftEngine:
 * wasm in a limited worker), is evaluated over every positive fixture and the recently observed
 * workloads (its blast radius, blast-radius.ts), the request's examples, and every negative fixture
 * (true positives on the retrieved policies' fixtures, and behavioural duplicates of corpus
 * policies). The id rule (policy-ids.ts) is checked on the draft too.
 *
 * The draft is written into a fresh temporary directory beside a copy of the shared library, so the
 * corpus is never touched.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  draftEngine,
  EngineCompileError,
  type EngineConfig,
  EngineError,
  EngineEvalError,
  EngineRefusedError,
  formatRefusal,
  type ManifestVerdict,
  sandboxOptions,
  scanRego,
} from '../engine';
import { formatOpaErrorDetail, OpaCompileError, opaCheck, opaParse, opaTest } from '../opa/opa';
import { measureBlastRadius, type ObservedWindow } from './blast-radius';
import { draftIdClash, type TakenIds } from './policy-ids';
import type { Draft, DraftRequest, ValidationReport } from './schemas';

export type FixtureSet = {
  positives: { name: string; manifest: unknown }[];
  negatives: { name: string; manifest: unknown; deny: string[] }[];
  /** policy id → names of the negative fixtures it denies (from the corpus) */
  corpusDenials: Record<string, string[]>;
  libraryFile: string;
  inventoryFile: string;
};

/** Dotted names of every function called in an `opa parse --format json` AST. */
export function calledBuiltins(ast: unknown): string[] {
  const names = new Set<string>();
  const refName = (ref: unknown): string | undefined => {
    if (!ref || typeof ref !== 'object' || (ref as { type?: string }).type !== 'ref') return undefined;
    const parts = (ref as { value: { type: string; value: unknown }[] }).value;
    if (!Array.isArray(parts) || parts[0]?.type !== 'var') return undefined;
    const out = [String(parts[0].value)];
    for (const part of parts.slice(1)) {
      if (part.type !== 'string') return out.join('.');
      out.push(String(part.value));
    }
    return out.join('.');
  };
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!node || typeof node !== 'object') return;
    const obj = node as Record<string, unknown>;
    if (obj.type === 'call' && Array.isArray(obj.value)) {
      const name = refName(obj.value[0]);
      if (name) names.add(name);
    }
    if (Array.isArray(obj.terms) && obj.terms.length > 0) {
      const name = refName(obj.terms[0]);
      if (name) names.add(name);
    }
    for (const value of Object.values(obj)) visit(value);
  };
  visit(ast);
  return [...names].sort();
}

function errorLines(error: unknown): string[] {
  if (error instanceof OpaCompileError) return error.errors.map(formatOpaErrorDetail);
  if (error instanceof EngineCompileError && error.details.length) return error.details;
  if (error instanceof EngineRefusedError) return error.refusals.map(formatRefusal);
  return [(error as Error).message];
}

/**
 * The draft's denial messages on every manifest, by the engine (compiled on the fly, sandboxed);
 * the observed workloads apart: one the draft cannot evaluate is left out (null) instead of failing the draft.
 */
async function evaluateDraft(
  config: EngineConfig,
  draft: Draft,
  manifests: unknown[],
  observed: unknown[],
  inventoryFile: string,
): Promise<{ verdicts: ManifestVerdict[]; observed: (ManifestVerdict | null)[] }> {
  const { inventory } = JSON.parse(await readFile(inventoryFile, 'utf8')) as { inventory: unknown };
  const engine = await draftEngine(config, { id: draft.policyId, policy: draft.policy, tests: draft.tests });
  const options = { policies: [draft.policyId], inventory };
  try {
    const verdicts = await engine.evaluate(manifests, options);
    let seen: (ManifestVerdict | null)[];
    try {
      seen = observed.length ? await engine.evaluate(observed, options) : [];
    } catch (error) {
      if (!(error instanceof EngineEvalError)) throw error;
      seen = [];
      for (const manifest of observed)
        seen.push(
          await engine.evaluate([manifest], options).then(
            (v) => v[0] ?? null,
            () => null,
          ),
        );
    }
    return { verdicts, observed: seen };
  } finally {
    await engine.close();
  }
}

export async function validateDraft(options: {
  config: EngineConfig;
  draft: Draft;
  request: DraftRequest;
  fixtures: FixtureSet;
  /** ids of the retrieved policies: their negative fixtures are the relevant ones */
  relevantPolicies: string[];
  /** the recent observed workloads (blast radius); none when absent */
  observed?: ObservedWindow;
  /** the taken policy ids (the id rule); unchecked when absent */
  taken?: TakenIds;
}): Promise<ValidationReport> {
  const started = Date.now();
  const { draft, request, fixtures } = options;
  const report: ValidationReport = {
    parses: false,
    checkErrors: [],
    tests: { total: 0, passed: 0, failed: [], allowTests: 0, denyTests: 0 },
    coverage: null,
    falsePositives: [],
    positivesChecked: 0,
    missedDenyExamples: [],
    deniedAllowExamples: [],
    relevantNegatives: { checked: 0, denied: 0 },
    emptyMessages: 0,
    builtins: [],
    packageName: null,
    duplicates: [],
    seconds: 0,
  };
  const clash = options.taken ? draftIdClash(draft, options.taken) : undefined;
  if (clash) report.idClash = clash;
  const observed = options.observed ?? { since: new Date(0).toISOString(), limit: 1, workloads: [] };
  const dir = await mkdtemp(join(tmpdir(), 'pac-draft-'));
  try {
    await mkdir(join(dir, 'lib'), { recursive: true });
    await mkdir(join(dir, draft.policyId), { recursive: true });
    const lib = join(dir, 'lib', 'k8s.rego');
    const policyFile = join(dir, draft.policyId, 'policy.rego');
    const testFile = join(dir, draft.policyId, 'policy_test.rego');
    await copyFile(fixtures.libraryFile, lib);
    await writeFile(policyFile, draft.policy, 'utf8');
    await writeFile(testFile, draft.tests, 'utf8');

    const sandbox = await sandboxOptions(options.config);
    const limits = { opa: sandbox.opa, memoryLimitBytes: sandbox.memoryLimitBytes, timeoutMs: sandbox.timeoutMs };
    try {
      const parsed = await opaParse({ ...limits, source: draft.policy, filename: 'policy.rego' });
      report.parses = true;
      report.packageName = parsed.packagePath;
      report.builtins = calledBuiltins(parsed.ast);
      // both files, before anything is evaluated
      const refusals = await scanRego(options.config, [
        { name: 'policy.rego', text: draft.policy },
        { name: 'policy_test.rego', text: draft.tests },
      ]);
      if (refusals.length) {
        report.checkErrors.push(...refusals.map(formatRefusal));
        return report;
      }
    } catch (error) {
      report.checkErrors.push(...errorLines(error));
      return report;
    }
    const checked = { ...limits, capabilities: sandbox.capabilities, paths: [lib, policyFile, testFile], cwd: dir };
    try {
      await opaCheck({ ...checked, strict: true });
    } catch (error) {
      report.checkErrors.push(...errorLines(error));
    }
    try {
      const tested = await opaTest({ ...checked, coverage: true, timeoutMs: Math.max(sandbox.timeoutMs, 60_000) });
      const own = tested.tests.filter((t) => t.package.endsWith('_test'));
      report.tests = {
        total: own.length,
        passed: own.filter((t) => t.status === 'pass').length,
        failed: own.filter((t) => t.status !== 'pass').map((t) => `${t.name} (${t.status}${t.error ? `: ${t.error.message}` : ''})`),
        allowTests: own.filter((t) => /^test_allow/.test(t.name)).length,
        denyTests: own.filter((t) => /^test_deny/.test(t.name)).length,
      };
      const file = tested.coverage?.files.find(
        (f) => f.file.endsWith('policy.rego') && !f.file.endsWith('_test.rego') && !f.file.includes('lib'),
      );
      report.coverage = file ? file.percent : null;
    } catch (error) {
      report.checkErrors.push(...errorLines(error));
    }
    if (report.checkErrors.length) return report;

    const manifests = [
      ...fixtures.positives.map((f) => f.manifest),
      ...request.examples.deny,
      ...request.examples.allow,
      ...fixtures.negatives.map((f) => f.manifest),
    ];
    let verdicts: ManifestVerdict[];
    let seen: (ManifestVerdict | null)[];
    try {
      ({ verdicts, observed: seen } = await evaluateDraft(
        options.config,
        draft,
        manifests,
        observed.workloads.map((w) => w.manifest),
        fixtures.inventoryFile,
      ));
    } catch (error) {
      if (!(error instanceof EngineError)) throw error;
      report.checkErrors.push(...errorLines(error));
      return report;
    }
    const denials = verdicts.map((v) => v.denied[draft.policyId] ?? []);
    for (const [k, set] of denials.entries()) {
      // a message that is not a string (reported as its JSON text), or a blank one
      report.emptyMessages += (verdicts[k]?.malformed?.[draft.policyId] ?? 0) + set.filter((msg) => msg.trim() === '').length;
    }
    let i = 0;
    for (const fixture of fixtures.positives) {
      if ((denials[i++] ?? []).length) report.falsePositives.push(fixture.name);
    }
    report.positivesChecked = fixtures.positives.length;
    request.examples.deny.forEach((_, index) => {
      if (!(denials[i++] ?? []).length) report.missedDenyExamples.push(index);
    });
    request.examples.allow.forEach((_, index) => {
      if ((denials[i++] ?? []).length) report.deniedAllowExamples.push(index);
    });
    const deniedNegatives: string[] = [];
    for (const fixture of fixtures.negatives) {
      const denied = (denials[i++] ?? []).length > 0;
      if (denied) deniedNegatives.push(fixture.name);
      if (fixture.deny.some((id) => options.relevantPolicies.includes(id))) {
        report.relevantNegatives.checked++;
        if (denied) report.relevantNegatives.denied++;
      }
    }
    const evaluated = observed.workloads.flatMap((w, k) => {
      const verdict = seen[k];
      return verdict ? [{ ...w, messages: verdict.denied[draft.policyId] ?? [] }] : [];
    });
    report.blastRadius = measureBlastRadius({
      fixtures: fixtures.positives.map((f, k) => ({ name: f.name, manifest: f.manifest, messages: denials[k] ?? [] })),
      observed: { ...observed, workloads: evaluated },
      ...(request.maxBlastRadius !== undefined ? { max: request.maxBlastRadius } : {}),
    });
    const mine = JSON.stringify([...deniedNegatives].sort());
    if (deniedNegatives.length) {
      for (const [policyId, names] of Object.entries(fixtures.corpusDenials)) {
        // a replacement behaving like the policy it replaces is not a duplicate of it
        if (policyId === draft.replaces) continue;
        if (JSON.stringify([...names].sort()) === mine && report.falsePositives.length === 0) report.duplicates.push(policyId);
      }
    }
    return report;
  } finally {
    report.seconds = Math.round((Date.now() - started) / 10) / 100;
    await rm(dir, { recursive: true, force: true });
  }
}
