/**
 * The "opa test" step: proves a draft with the real `opa` — parse, `opa check --strict`, the
 * draft's own tests with coverage, then one `opa eval` of the draft over every positive fixture
 * (false positives), the request's examples, and every negative fixture (true positives on the
 * retrieved policies' fixtures, and behavioural duplicates of corpus policies).
 *
 * The draft is written into a fresh temporary directory beside a copy of the shared library, so the
 * corpus is never touched.
 */
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../../infra/config';
import { formatOpaErrorDetail, OpaCompileError, opaCheck, opaEval, opaParse, opaTest } from '../opa/opa';
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
  return [(error as Error).message];
}

export async function validateDraft(options: {
  opa: Config['opa'];
  draft: Draft;
  request: DraftRequest;
  fixtures: FixtureSet;
  /** ids of the retrieved policies: their negative fixtures are the relevant ones */
  relevantPolicies: string[];
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

    try {
      const parsed = await opaParse({ opa: options.opa, source: draft.policy, filename: 'policy.rego' });
      report.parses = true;
      report.packageName = parsed.packagePath;
      report.builtins = calledBuiltins(parsed.ast);
    } catch (error) {
      report.checkErrors.push(...errorLines(error));
      return report;
    }
    try {
      await opaCheck({ opa: options.opa, paths: [lib, policyFile, testFile], strict: true, cwd: dir });
    } catch (error) {
      report.checkErrors.push(...errorLines(error));
    }
    try {
      const tested = await opaTest({
        opa: options.opa,
        paths: [lib, policyFile, testFile],
        coverage: true,
        cwd: dir,
        timeoutMs: Math.max(options.opa.timeoutMs, 60_000),
      });
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

    const key = draft.packageName.replace(/^kpc\.policies\./, '');
    const manifests = [
      ...fixtures.positives.map((f) => f.manifest),
      ...request.examples.deny,
      ...request.examples.allow,
      ...fixtures.negatives.map((f) => f.manifest),
    ];
    const evaluated = await opaEval({
      opa: options.opa,
      timeoutMs: Math.max(options.opa.timeoutMs, 60_000),
      query: `results := [d | some m in input.manifests; d := object.get(data.kpc.policies, ${JSON.stringify(key)}, {}).deny with input as m]`,
      dataPaths: [lib, policyFile, fixtures.inventoryFile],
      input: { manifests },
    });
    const results = evaluated.result[0]?.bindings?.results;
    if (!Array.isArray(results) || results.length !== manifests.length) {
      report.checkErrors.push(
        `evaluation returned ${Array.isArray(results) ? results.length : 'no'} results for ${manifests.length} manifests`,
      );
      return report;
    }
    const denials = results as unknown[][];
    for (const set of denials) for (const msg of set ?? []) if (typeof msg !== 'string' || msg.trim() === '') report.emptyMessages++;
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
    const mine = JSON.stringify([...deniedNegatives].sort());
    if (deniedNegatives.length) {
      for (const [policyId, names] of Object.entries(fixtures.corpusDenials)) {
        if (JSON.stringify([...names].sort()) === mine && report.falsePositives.length === 0) report.duplicates.push(policyId);
      }
    }
    return report;
  } finally {
    report.seconds = Math.round((Date.now() - started) / 10) / 100;
    await rm(dir, { recursive: true, force: true });
  }
}
