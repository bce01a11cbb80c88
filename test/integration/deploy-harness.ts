/**
 * What the deployment tests share: rendering the Helm chart with the pinned helm, validating with
 * kubeconform against local schemas, and running `pac analyze` on the result. The tools come from
 * infra/install-tools.ts (Go module proxy and PyPI, cached); nothing here downloads at test time.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../../infra/config';
import { schemaLocation, toolPaths } from '../../infra/install-tools';

export const ROOT = new URL('../../', import.meta.url).pathname;
export const CHART = join(ROOT, 'infra/helm/kube-pac-copilot');
export const RELEASE = 'pac';
export const NAMESPACE = 'pac-system';
export const FULLNAME = `${RELEASE}-kube-pac-copilot`;
/** the Kubernetes version `helm template` renders for (Capabilities.KubeVersion) */
export const RENDER_KUBE_VERSION = '1.33.0';

export const config = loadConfig({ ...process.env, PAC_STATE_DIR: tmpdir() });
export const tools = toolPaths(config);

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are read by path in assertions
  spec?: any;
  data?: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: as above
  [key: string]: any;
}

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function exec(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { env: options.env ?? process.env, cwd: options.cwd, maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 120_000 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, stdout: String(stdout), stderr: String(stderr) });
      },
    );
  });
}

/**
 * Runs helm on a copy of the chart. Helm refuses a chart whose declared dependency is missing from
 * charts/ even when its condition is false, so the copy gets an empty stand-in chart named weaviate
 * (it renders nothing): no download, nothing vendored.
 */
async function helmOnCopy(args: (chart: string) => string[]): Promise<ExecResult> {
  const work = await mkdtemp(join(tmpdir(), 'pac-chart-'));
  try {
    const chart = join(work, 'kube-pac-copilot');
    await cp(CHART, chart, { recursive: true });
    await mkdir(join(chart, 'charts', 'weaviate'), { recursive: true });
    await writeFile(join(chart, 'charts', 'weaviate', 'Chart.yaml'), 'apiVersion: v2\nname: weaviate\nversion: 17.8.1\n');
    return await exec(tools.helm, args(chart));
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

function valueArgs(valuesFiles: string[], sets: string[]): string[] {
  return [...valuesFiles.flatMap((file) => ['--values', join(CHART, file)]), ...sets.flatMap((set) => ['--set', set])];
}

/** `helm template` of the chart with these values files (relative to the chart) and --set values. */
export function helmTemplate(valuesFiles: string[] = [], sets: string[] = []): Promise<ExecResult> {
  return helmOnCopy((chart) => [
    'template',
    RELEASE,
    chart,
    '--namespace',
    NAMESPACE,
    '--kube-version',
    RENDER_KUBE_VERSION,
    ...valueArgs(valuesFiles, sets),
  ]);
}

/** `helm lint --strict` (warnings fail too). */
export function helmLint(valuesFiles: string[] = []): Promise<ExecResult> {
  return helmOnCopy((chart) => ['lint', '--strict', chart, '--namespace', NAMESPACE, ...valueArgs(valuesFiles, [])]);
}

export interface Rendered {
  text: string;
  objects: K8sObject[];
}

export async function render(valuesFiles: string[] = [], sets: string[] = []): Promise<Rendered> {
  const result = await helmTemplate(valuesFiles, sets);
  if (result.code !== 0) throw new Error(`helm template failed (${result.code}):\n${result.stderr}`);
  const objects = parseAllDocuments(result.stdout)
    .map((doc) => {
      if (doc.errors.length) throw new Error(`rendered YAML does not parse: ${doc.errors[0]?.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
  return { text: result.stdout, objects };
}

export function byKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function named(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in: ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}

export interface KubeconformSummary {
  valid: number;
  invalid: number;
  errors: number;
  skipped: number;
  messages: string[];
}

/** kubeconform -strict of manifest files against the local schemas of one Kubernetes version. */
export async function kubeconform(files: string[], kubernetesVersion: string): Promise<KubeconformSummary> {
  const result = await exec(tools.kubeconform, [
    '-strict',
    '-summary',
    '-output',
    'json',
    '-kubernetes-version',
    kubernetesVersion,
    '-schema-location',
    schemaLocation(tools, kubernetesVersion),
    ...files,
  ]);
  const report = JSON.parse(result.stdout) as {
    resources?: { kind: string; name: string; status: string; msg?: string }[];
    summary: { valid: number; invalid: number; errors: number; skipped: number };
  };
  return {
    ...report.summary,
    messages: (report.resources ?? [])
      .filter((r) => r.status !== 'statusValid')
      .map((r) => `${r.kind}/${r.name}: ${r.status} ${r.msg ?? ''}`),
  };
}

export interface AnalyzeFinding {
  resource: string;
  policy: string;
  exempted: boolean;
  message: string;
}

/** `pac analyze <file> --json [args]` (the CLI itself), its exit code and every finding. */
export async function pacAnalyze(file: string, args: string[] = []): Promise<{ code: number; findings: AnalyzeFinding[]; stderr: string }> {
  const result = await exec(process.execPath, [join(ROOT, 'bin/pac.js'), 'analyze', file, '--json', ...args], {
    cwd: ROOT,
    timeoutMs: 300_000,
  });
  if (result.code !== 0 && result.code !== 3) throw new Error(`pac analyze ${args.join(' ')} exited ${result.code}:\n${result.stderr}`);
  const report = JSON.parse(result.stdout) as {
    resources: { resource: string; findings: { policy: string; messages: string[]; exempted?: unknown }[] }[];
  };
  const findings = report.resources.flatMap((r) =>
    r.findings.map((f) => ({ resource: r.resource, policy: f.policy, exempted: Boolean(f.exempted), message: f.messages[0] ?? '' })),
  );
  return { code: result.code, findings, stderr: result.stderr };
}

/** The workloads' pod templates (Deployments and CronJobs), with where they come from. */
export function podTemplates(objects: K8sObject[]): { owner: string; template: K8sObject['spec'] }[] {
  return objects.flatMap((o) => {
    if (o.kind === 'Deployment') return [{ owner: `Deployment/${o.metadata.name}`, template: o.spec.template }];
    if (o.kind === 'CronJob') return [{ owner: `CronJob/${o.metadata.name}`, template: o.spec.jobTemplate.spec.template }];
    return [];
  });
}

/** Whether a label selector (matchLabels only, as the chart writes them) selects these labels. */
export function selects(
  selector: { matchLabels?: Record<string, string> } | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  const wanted = selector?.matchLabels ?? {};
  return Object.keys(wanted).length > 0 && Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
}
