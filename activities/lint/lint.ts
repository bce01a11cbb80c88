/**
 * Rego linter: `opa check --strict` (its errors mapped to rule ids), then rules of our own on the
 * AST of every file (`opa parse --format json --json-include locations`). Each finding has a rule
 * id, a severity and file:line.
 *
 * Rules:
 *   opa-check               error    anything `opa check --strict` reports that no rule below names
 *   unused-variable         warning  unused local assignments, arguments and `some` declarations (strict mode)
 *   unused-import           warning  imports nothing uses (strict mode)
 *   unused-rule             warning  a helper rule of a policy package that nothing in the linted files reads
 *   deny-without-message    error    a deny rule that produces no message (`deny if …`, a non-string key)
 *   nondeterministic-builtin error   http.send, net.*, opa.runtime, time.*, rand.*, uuid.*, … (network or
 *                                    non-deterministic: the same manifest could be judged differently)
 *   deprecated-builtin      warning  any, all, re_match, set_diff, cast_*, net.cidr_overlap
 *   print-call              warning  print() left in a policy (tests may print)
 *   missing-test-file       warning  a policy file without a *_test.rego beside it
 *   unreachable-kind        error    a deny rule that requires input.kind to be a kind the policy does not
 *                                    cover (index.jsonl) or no Kubernetes kind at all: it can never fire
 *   package-name            warning  datasets/policies/<id>/policy.rego not in package kpc.policies.<id_snake>
 *
 * The linted files are untrusted: opa check and opa parse run in the engine's sandbox (its
 * capabilities, an empty environment, a timeout and a memory cap; activities/engine/sandbox.ts),
 * so a call the sandbox refuses shows as `undefined function` from opa check, reported here as
 * nondeterministic-builtin with the sandbox's reason.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { loadPolicyIndex } from '../../datasets/load';
import { POLICIES_DIR } from '../../datasets/paths';
import { type SandboxConfig, sandboxOptions, sandboxRefusal } from '../engine';
import { OpaCompileError, opaCheck, opaParse } from '../opa/opa';
import { isNondeterministicBuiltin } from './builtins';

export const LINT_SEVERITIES = ['error', 'warning', 'info'] as const;
export const lintFindingSchema = z.object({
  rule: z.string(),
  severity: z.enum(LINT_SEVERITIES),
  file: z.string(),
  line: z.number().int(),
  message: z.string(),
});
export type LintFinding = z.infer<typeof lintFindingSchema>;

export interface LintReport {
  files: string[];
  findings: LintFinding[];
  errors: number;
  warnings: number;
}

/** Kinds a Kubernetes API server serves (core, apps, batch, networking, policy, rbac, …). */
export const KNOWN_KINDS = new Set([
  'Pod',
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'ReplicaSet',
  'ReplicationController',
  'Job',
  'CronJob',
  'Service',
  'Ingress',
  'IngressClass',
  'NetworkPolicy',
  'ConfigMap',
  'Secret',
  'ServiceAccount',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'Namespace',
  'Node',
  'PersistentVolume',
  'PersistentVolumeClaim',
  'StorageClass',
  'PodDisruptionBudget',
  'HorizontalPodAutoscaler',
  'LimitRange',
  'ResourceQuota',
  'Endpoints',
  'EndpointSlice',
  'CustomResourceDefinition',
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'PriorityClass',
  'PodSecurityPolicy',
  'Event',
  'Lease',
  'CSIDriver',
  'VolumeAttachment',
  'RuntimeClass',
]);

const DEPRECATED = new Set([
  'any',
  'all',
  're_match',
  'set_diff',
  'net.cidr_overlap',
  'cast_array',
  'cast_set',
  'cast_string',
  'cast_boolean',
  'cast_null',
  'cast_object',
]);
const ENTRY_RULES = new Set(['deny', 'violation', 'warn']);

type Node = Record<string, unknown>;
const isObject = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The .rego files under the paths (directories recursively), sorted. */
export function regoFilesOf(paths: readonly string[]): string[] {
  const out: string[] = [];
  const visit = (path: string) => {
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) throw new Error(`${path}: no such file or directory`);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        const child = join(path, name);
        if (statSync(child).isDirectory() || name.endsWith('.rego')) visit(child);
      }
    } else if (path.endsWith('.rego')) out.push(path);
    else throw new Error(`${path}: not a .rego file or a directory`);
  };
  for (const p of paths) visit(p);
  return [...new Set(out)].sort();
}

/** "http.send" for a ref of vars and strings. */
function refName(ref: unknown): string | undefined {
  if (!Array.isArray(ref)) return undefined;
  const parts: string[] = [];
  for (const [i, term] of ref.entries()) {
    if (!isObject(term)) return undefined;
    if (i === 0 && term.type === 'var') parts.push(String(term.value));
    else if (i > 0 && term.type === 'string') parts.push(String(term.value));
    else break;
  }
  return parts.join('.');
}

const rowOf = (node: unknown): number => (isObject(node) && isObject(node.location) ? Number(node.location.row) : 0);

/** Every call (operator of an expression or a call term) with its row. */
export function callsOf(node: unknown, row = 0, out: { name: string; row: number }[] = []): { name: string; row: number }[] {
  if (Array.isArray(node)) {
    for (const n of node) callsOf(n, row, out);
    return out;
  }
  if (!isObject(node)) return out;
  const here = rowOf(node) || row;
  if (Array.isArray(node.terms) && isObject(node.terms[0]) && node.terms[0].type === 'ref') {
    const name = refName(node.terms[0].value);
    if (name) out.push({ name, row: here });
  }
  if (node.type === 'call' && Array.isArray(node.value) && isObject(node.value[0])) {
    const name = refName(node.value[0].value);
    if (name) out.push({ name, row: here });
  }
  for (const [key, value] of Object.entries(node)) if (key !== 'location') callsOf(value, here, out);
  return out;
}

/** Names a module reads: var terms and string steps of refs anywhere outside rule heads' names. */
function namesRead(rules: readonly Node[]): Set<string> {
  const out = new Set<string>();
  const visit = (node: unknown) => {
    if (Array.isArray(node)) node.forEach(visit);
    else if (isObject(node)) {
      if ((node.type === 'var' || node.type === 'string') && typeof node.value === 'string') out.add(node.value);
      for (const [key, value] of Object.entries(node)) if (key !== 'location') visit(value);
    }
  };
  for (const rule of rules) {
    const head = isObject(rule.head) ? rule.head : {};
    visit(rule.body);
    visit(head.value);
    visit(head.key);
    visit(head.args);
    visit(rule.else);
  }
  return out;
}

function packagePath(ast: Node): string {
  const pkg = isObject(ast.package) ? ast.package : {};
  const path = Array.isArray(pkg.path) ? pkg.path : [];
  return path
    .slice(1)
    .map((t) => (isObject(t) ? String(t.value) : ''))
    .join('.');
}

const ruleName = (rule: Node): string => {
  const head = isObject(rule.head) ? rule.head : {};
  if (typeof head.name === 'string') return head.name;
  const ref = Array.isArray(head.ref) && isObject(head.ref[0]) ? head.ref[0].value : '';
  return String(ref);
};

/** The kinds a deny rule's body requires with `input.kind == "X"` (or "X" == input.kind). */
function requiredKinds(rule: Node): { kind: string; row: number }[] {
  const out: { kind: string; row: number }[] = [];
  for (const expr of Array.isArray(rule.body) ? rule.body : []) {
    if (!isObject(expr) || expr.negated || !Array.isArray(expr.terms)) continue;
    const [op, a, b] = expr.terms as Node[];
    const name = isObject(op) ? refName(op.value) : undefined;
    if (name !== 'equal' && name !== 'eq') continue;
    const isInputKind = (t: unknown) => isObject(t) && t.type === 'ref' && refName(t.value) === 'input.kind';
    const str = (t: unknown) => (isObject(t) && t.type === 'string' ? String(t.value) : undefined);
    const kind = isInputKind(a) ? str(b) : isInputKind(b) ? str(a) : undefined;
    if (kind !== undefined) out.push({ kind, row: rowOf(expr) });
  }
  return out;
}

/** Why the sandbox refuses the function an `undefined function` error names, if it does. */
function refusedBySandbox(message: string): string | undefined {
  const name = /undefined function ([\w.]+)/.exec(message)?.[1];
  if (!name) return undefined;
  return sandboxRefusal(name) ?? (isNondeterministicBuiltin(name) ? 'non-deterministic' : undefined);
}

function strictRule(message: string): { rule: string; severity: LintFinding['severity'] } {
  if (refusedBySandbox(message)) return { rule: 'nondeterministic-builtin', severity: 'error' };
  if (/unused argument|var .* unused|declared var .* unused|assigned var .* unused/i.test(message))
    return { rule: 'unused-variable', severity: 'warning' };
  if (/import .* unused/i.test(message)) return { rule: 'unused-import', severity: 'warning' };
  if (/deprecated built-in/i.test(message)) return { rule: 'deprecated-builtin', severity: 'warning' };
  return { rule: 'opa-check', severity: 'error' };
}

export interface LintOptions {
  /** display file names relative to this directory (default: the working directory) */
  cwd?: string;
}

/**
 * The corpus's shared library (datasets/policies/lib, tests excepted) when a linted file imports
 * data.kpc.lib and the library is not among the linted files: a corpus policy linted on its own
 * then compiles as it does in the corpus.
 */
function libraryContext(files: readonly string[]): string[] {
  const libDir = join(POLICIES_DIR, 'lib');
  if (files.some((f) => resolve(f).startsWith(libDir))) return [];
  if (!files.some((f) => /\bdata\.kpc\.lib\b/.test(readFileSync(f, 'utf8')))) return [];
  return readdirSync(libDir)
    .filter((name) => name.endsWith('.rego') && !name.endsWith('_test.rego'))
    .sort()
    .map((name) => join(libDir, name));
}

export async function lintRego(config: SandboxConfig, paths: readonly string[], options: LintOptions = {}): Promise<LintReport> {
  const files = regoFilesOf(paths);
  if (files.length === 0) throw new Error(`no .rego files in ${paths.join(', ')}`);
  const cwd = options.cwd ?? process.cwd();
  const show = (file: string) => relative(cwd, file) || file;
  const findings: LintFinding[] = [];
  const add = (rule: string, severity: LintFinding['severity'], file: string, line: number, message: string) => {
    // one finding per rule and line (strict mode and our rules both see deprecated built-ins)
    if (findings.some((f) => f.rule === rule && f.file === show(file) && f.line === line)) return;
    findings.push({ rule, severity, file: show(file), line, message });
  };

  // 1. opa check --strict over all files together (packages may span files), in the sandbox
  const sandbox = await sandboxOptions(config);
  const limits = { opa: sandbox.opa, timeoutMs: sandbox.timeoutMs, memoryLimitBytes: sandbox.memoryLimitBytes };
  try {
    await opaCheck({
      ...limits,
      capabilities: sandbox.capabilities,
      paths: [...files, ...libraryContext(files)],
      strict: true,
      maxErrors: 1000,
    });
  } catch (error) {
    if (!(error instanceof OpaCompileError)) throw error;
    for (const detail of error.errors) {
      // the shared library is context, not linted: its own findings are not the user's
      if (detail.file && !files.some((f) => f.endsWith(detail.file as string))) continue;
      const { rule, severity } = strictRule(detail.message);
      const file = detail.file ? (files.find((f) => f.endsWith(detail.file as string)) ?? detail.file) : files[0];
      const refused = refusedBySandbox(detail.message);
      add(
        rule,
        severity,
        file as string,
        detail.row ?? 0,
        refused ? `${detail.message}: refused by the sandbox (${refused})` : detail.message,
      );
    }
  }

  // 2. our rules on each file's AST
  const index = new Map(loadPolicyIndex().map((m) => [m.package, m]));
  const parsed: { file: string; ast: Node }[] = [];
  for (const file of files) {
    try {
      const { ast } = await opaParse({ ...limits, path: file, locations: true });
      parsed.push({ file, ast: ast as Node });
    } catch (error) {
      if (!(error instanceof OpaCompileError)) throw error;
      // the parse error is already reported by opa check
    }
  }
  const isTest = (file: string) => file.endsWith('_test.rego');
  // what every non-test module reads, per package (a helper may be read from another file of its package)
  const readsByPackage = new Map<string, Set<string>>();
  const allStrings = new Set<string>();
  for (const { file, ast } of parsed) {
    if (isTest(file)) continue;
    const pkg = packagePath(ast);
    const reads = readsByPackage.get(pkg) ?? new Set<string>();
    for (const name of namesRead((ast.rules as Node[] | undefined) ?? [])) {
      reads.add(name);
      allStrings.add(name);
    }
    readsByPackage.set(pkg, reads);
  }

  for (const { file, ast } of parsed) {
    const rules = ((ast.rules as Node[] | undefined) ?? []).filter(isObject);
    const pkg = packagePath(ast);
    const names = new Set(rules.map(ruleName));
    const policyPackage = [...names].some((n) => ENTRY_RULES.has(n));
    const test = isTest(file);

    // calls
    for (const call of callsOf(rules)) {
      if (isNondeterministicBuiltin(call.name))
        add(
          'nondeterministic-builtin',
          'error',
          file,
          call.row,
          `${call.name} makes the decision depend on the network, the clock or chance; policies must be pure functions of input and data`,
        );
      if (DEPRECATED.has(call.name)) add('deprecated-builtin', 'warning', file, call.row, `${call.name} is deprecated`);
      if (call.name === 'print' && !test)
        add('print-call', 'warning', file, call.row, 'print() left in a policy; remove it (tests may print)');
    }
    if (test) continue;

    // package naming inside the corpus layout
    if (basename(file) === 'policy.rego') {
      const id = basename(dirname(file));
      const expected = `kpc.policies.${id.replaceAll('-', '_')}`;
      if (/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id) && pkg !== expected && index.has(expected))
        add('package-name', 'warning', file, rowOf(ast.package), `package ${pkg} should be ${expected} (the folder's policy id)`);
    }

    if (!policyPackage) continue;
    // a policy without tests beside it
    const dir = dirname(file);
    const hasTests = existsSync(dir) && readdirSync(dir).some((n) => n.endsWith('_test.rego'));
    if (!hasTests) add('missing-test-file', 'warning', file, rowOf(ast.package), `no *_test.rego beside ${basename(file)}`);

    const reads = readsByPackage.get(pkg) ?? new Set<string>();
    const meta = index.get(pkg);
    const reported = new Set<string>();
    for (const rule of rules) {
      const name = ruleName(rule);
      const head = isObject(rule.head) ? rule.head : {};
      const row = rowOf(rule) || rowOf(head);
      if (ENTRY_RULES.has(name)) {
        const key = isObject(head.key) ? head.key : undefined;
        if (!key)
          add(
            'deny-without-message',
            'error',
            file,
            row,
            `${name} is a boolean rule; write "${name} contains msg if { … }" so the denial says why`,
          );
        else if (['boolean', 'number', 'null'].includes(String(key.type)))
          add('deny-without-message', 'error', file, row, `${name} produces a ${String(key.type)}, not a message string`);
        // kinds
        for (const { kind, row: kindRow } of requiredKinds(rule)) {
          if (!KNOWN_KINDS.has(kind))
            add(
              'unreachable-kind',
              'error',
              file,
              kindRow,
              `${name} requires input.kind == "${kind}", which is not a Kubernetes kind: the rule can never fire`,
            );
          else if (meta && !meta.kinds.includes('*') && !meta.kinds.includes(kind))
            add(
              'unreachable-kind',
              'error',
              file,
              kindRow,
              `${name} requires input.kind == "${kind}", but ${meta.id} covers only ${meta.kinds.join(', ')} (index.jsonl): the rule never fires for a supported kind`,
            );
        }
        continue;
      }
      if (reads.has(name) || allStrings.has(name) || reported.has(name)) continue;
      reported.add(name);
      add('unused-rule', 'warning', file, row, `rule ${name} is never used by this package`);
    }
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule));
  return {
    files: files.map(show),
    findings,
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
  };
}

export function formatFinding(f: LintFinding): string {
  return `${f.file}:${f.line}: ${f.severity} [${f.rule}] ${f.message}`;
}
