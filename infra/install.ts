/**
 * Installs the engines that are missing, at the versions pinned in infra/versions.json, into the
 * cache directory (PAC_CACHE_DIR, outside the repository). Idempotent: an engine already present at
 * its pinned version is skipped, so a second run takes a moment.
 *
 *   temporal, opa, weaviate-server  `go install module/pkg@version` from the Go module proxy; a module
 *                                   that carries `replace` directives is built through a wrapper module
 *   mlflow                          pip into a private virtualenv (plus psycopg2-binary for the team
 *                                   profile: installPostgresDriver)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type Config, loadConfig } from './config';

export type EngineName = 'temporal' | 'opa' | 'weaviate' | 'mlflow';

export class InstallError extends Error {
  constructor(
    readonly step: string,
    readonly output: string,
  ) {
    super(`install step "${step}" failed:\n${output.trim().split('\n').slice(-40).join('\n')}`);
    this.name = 'InstallError';
  }
}

interface RunResult {
  code: number | null;
  output: string;
}

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 200_000) output = output.slice(-100_000);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.on('close', (code) => resolvePromise({ code, output }));
  });
}

export async function runOrFail(step: string, command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const result = await run(command, args, options);
  if (result.code !== 0) throw new InstallError(step, `$ ${command} ${args.join(' ')}\n${result.output}`);
  return result.output;
}

export type GoPin = { module: string; package: string; version: string; binary: string };

/** Builds a Go command into `target`; falls back to a wrapper module when the module has `replace` directives. */
export async function goInstall(step: string, pin: GoPin, target: string, cacheDir: string): Promise<void> {
  await mkdir(dirname(target), { recursive: true });
  const work = await mkdtemp(join(cacheDir, 'tmp-go-'));
  try {
    const gobin = join(work, 'bin');
    const direct = await run('go', ['install', `${pin.package}@${pin.version}`], {
      env: { GOBIN: gobin, GOFLAGS: '-buildvcs=false', CGO_ENABLED: '0' },
    });
    if (direct.code === 0) {
      await rename(join(gobin, pin.binary), target);
      return;
    }
    if (!/replace directives|contains one or more replace/.test(direct.output)) {
      throw new InstallError(step, `$ go install ${pin.package}@${pin.version}\n${direct.output}`);
    }
    // The upstream module carries replace directives: require it from a module of our own and build there.
    process.stderr.write(`[install] ${step}: module has replace directives, building through a wrapper module\n`);
    const wrapper = join(work, 'wrapper');
    await mkdir(wrapper, { recursive: true });
    await writeFile(join(wrapper, 'tools.go'), `//go:build tools\n\npackage tools\n\nimport _ "${pin.package}"\n`);
    const env = { GOFLAGS: '-buildvcs=false -mod=mod', CGO_ENABLED: '0' };
    await runOrFail(step, 'go', ['mod', 'init', 'kube-pac-copilot/infra/wrapper'], { cwd: wrapper, env });
    await runOrFail(step, 'go', ['get', `${pin.module}@${pin.version}`], { cwd: wrapper, env });
    await runOrFail(step, 'go', ['build', '-o', target, pin.package], { cwd: wrapper, env });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Marks a finished virtualenv, so an interrupted pip install is redone instead of half-used. */
function venvMarker(mlflowPath: string): string {
  return join(dirname(dirname(mlflowPath)), '.pac-installed');
}

async function pipInstall(step: string, version: string, mlflowPath: string): Promise<void> {
  const venv = dirname(dirname(mlflowPath));
  await rm(venv, { recursive: true, force: true });
  await mkdir(dirname(venv), { recursive: true });
  const python = process.env.PYTHON ?? 'python3';
  await runOrFail(step, python, ['-m', 'venv', venv]);
  await runOrFail(step, join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '--quiet', `mlflow==${version}`]);
  await runOrFail(step, mlflowPath, ['--version']);
  await writeFile(venvMarker(mlflowPath), `mlflow==${version}\n`);
}

/**
 * The PostgreSQL driver MLflow's SQLAlchemy store needs (team profile only), pinned, into MLflow's
 * virtualenv; pip's own cache keeps a second install offline. Idempotent: a marker per version.
 */
export async function installPostgresDriver(config: Config): Promise<'installed' | 'present'> {
  const { pip, version } = config.versions.psycopg2;
  const venv = dirname(dirname(config.mlflow.path));
  const marker = join(venv, `.pac-${pip}-${version}`);
  if (existsSync(marker)) return 'present';
  if (!existsSync(venvMarker(config.mlflow.path))) await installEngines(config, ['mlflow']);
  const step = `${pip} ${version}`;
  process.stderr.write(`[install] ${step}: installing into ${venv} (team profile: MLflow's PostgreSQL driver) ...\n`);
  await runOrFail(step, join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '--quiet', `${pip}==${version}`]);
  await runOrFail(step, join(venv, 'bin', 'python'), ['-c', 'import psycopg2']);
  await writeFile(marker, `${pip}==${version}\n`);
  return 'installed';
}

export interface InstallStep {
  engine: EngineName;
  target: string;
  version: string;
  installed: boolean;
  seconds: number;
}

/** Installs every missing engine (or only `only`), printing progress and durations on stderr. */
export async function installEngines(config: Config, only?: EngineName[]): Promise<InstallStep[]> {
  const { versions } = config;
  await mkdir(config.cacheDir, { recursive: true });
  const plan: { engine: EngineName; target: string; marker?: string; version: string; install: (step: string) => Promise<void> }[] = [
    {
      engine: 'temporal',
      target: config.temporal.cliPath,
      version: versions.temporal.version,
      install: (step) => goInstall(step, versions.temporal, config.temporal.cliPath, config.cacheDir),
    },
    {
      engine: 'opa',
      target: config.opa.path,
      version: versions.opa.version,
      install: (step) => goInstall(step, versions.opa, config.opa.path, config.cacheDir),
    },
    {
      engine: 'weaviate',
      target: config.weaviate.path,
      version: versions.weaviate.version,
      install: (step) => goInstall(step, versions.weaviate, config.weaviate.path, config.cacheDir),
    },
    {
      engine: 'mlflow',
      target: config.mlflow.path,
      marker: venvMarker(config.mlflow.path),
      version: versions.mlflow.version,
      install: (step) => pipInstall(step, versions.mlflow.version, config.mlflow.path),
    },
  ];
  const results: InstallStep[] = [];
  for (const item of plan) {
    if (only && !only.includes(item.engine)) continue;
    const step = `${item.engine} ${item.version}`;
    const started = Date.now();
    if (existsSync(item.marker ?? item.target)) {
      process.stderr.write(`[install] ${step}: present at ${item.target}\n`);
      results.push({ engine: item.engine, target: item.target, version: item.version, installed: false, seconds: 0 });
      continue;
    }
    process.stderr.write(`[install] ${step}: installing into ${item.target} (first time only; may take minutes) ...\n`);
    await item.install(step);
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(`[install] ${step}: done in ${seconds.toFixed(1)}s\n`);
    results.push({ engine: item.engine, target: item.target, version: item.version, installed: true, seconds });
  }
  return results;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  try {
    const config = loadConfig();
    await installEngines(config);
    process.stderr.write(`[install] engines ready in ${((Date.now() - started) / 1000).toFixed(1)}s (cache: ${config.cacheDir})\n`);
  } catch (error) {
    process.stderr.write(`[install] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
