/**
 * Starts, stops and reports on the local engines: the Temporal dev server, the MLflow tracking
 * server and Weaviate (OPA is a command, not a server: it is only reported on).
 *
 * Each started engine gets a pid file and a log file in `<stateDir>/run` and `<stateDir>/logs`;
 * `down` stops exactly the processes recorded there, nothing else.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { z } from 'zod';
import type { Config } from './config';
import { type EngineHealth, probeEngine } from './health';

export type ServerEngine = 'temporal' | 'mlflow' | 'weaviate';
export const SERVER_ENGINES: ServerEngine[] = ['temporal', 'mlflow', 'weaviate'];

export class PortInUseError extends Error {
  constructor(
    readonly engine: ServerEngine,
    readonly port: number,
    readonly setting: string,
  ) {
    super(
      `cannot start ${engine}: port ${port} is already in use by another process. ` +
        `Stop that process or choose another port with ${setting}.`,
    );
    this.name = 'PortInUseError';
  }
}

export class EngineStartError extends Error {
  constructor(
    readonly engine: ServerEngine,
    reason: string,
    readonly logFile: string,
  ) {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n') : '(no log)';
    super(`${engine} did not start: ${reason}\nlast lines of ${logFile}:\n${tail}`);
    this.name = 'EngineStartError';
  }
}

const pidRecord = z.object({
  engine: z.enum(['temporal', 'mlflow', 'weaviate']),
  pid: z.number().int().positive(),
  startedAt: z.string(),
  command: z.array(z.string()),
  logFile: z.string(),
});
export type PidRecord = z.infer<typeof pidRecord>;

interface LaunchSpec {
  command: string;
  args: string[];
  env?: Record<string, string>;
  /** every port the engine listens on, with the setting that changes it */
  ports: { port: number; host: string; setting: string }[];
}

function launchSpec(engine: ServerEngine, config: Config): LaunchSpec {
  const data = join(config.stateDir, 'data');
  switch (engine) {
    case 'temporal':
      return {
        command: config.temporal.cliPath,
        args: [
          'server',
          'start-dev',
          '--ip',
          config.temporal.host,
          '--port',
          String(config.temporal.port),
          '--ui-port',
          String(config.temporal.uiPort),
          '--db-filename',
          join(data, 'temporal.sqlite'),
          '--namespace',
          config.temporal.namespace,
          '--log-level',
          'warn',
        ],
        ports: [
          { port: config.temporal.port, host: config.temporal.host, setting: 'PAC_TEMPORAL_ADDRESS' },
          { port: config.temporal.uiPort, host: config.temporal.host, setting: 'PAC_TEMPORAL_UI_PORT' },
        ],
      };
    case 'mlflow':
      return {
        command: config.mlflow.path,
        args: [
          'server',
          '--backend-store-uri',
          `sqlite:///${join(data, 'mlflow.sqlite')}`,
          '--artifacts-destination',
          join(data, 'mlflow-artifacts'),
          '--serve-artifacts',
          '--host',
          config.mlflow.host,
          '--port',
          String(config.mlflow.port),
          '--workers',
          '1',
        ],
        // the job runner (GenAI scorers, periodic tasks) is not used here; it would start extra worker processes
        env: { MLFLOW_DISABLE_TELEMETRY: 'true', DO_NOT_TRACK: 'true', MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' },
        ports: [{ port: config.mlflow.port, host: config.mlflow.host, setting: 'PAC_MLFLOW_URI' }],
      };
    case 'weaviate': {
      const base = config.weaviate.clusterPort;
      return {
        command: config.weaviate.path,
        args: ['--host', config.weaviate.host, '--port', String(config.weaviate.port), '--scheme', 'http'],
        env: {
          PERSISTENCE_DATA_PATH: join(data, 'weaviate'),
          AUTHENTICATION_ANONYMOUS_ACCESS_ENABLED: 'true',
          DEFAULT_VECTORIZER_MODULE: 'none',
          ENABLE_MODULES: '',
          DISABLE_TELEMETRY: 'true',
          // collections are created explicitly with their full schema; never let an insert invent properties
          AUTOSCHEMA_ENABLED: 'false',
          QUERY_DEFAULTS_LIMIT: '25',
          CLUSTER_HOSTNAME: 'node1',
          CLUSTER_IN_LOCALHOST: 'true',
          CLUSTER_BIND_ADDR: '127.0.0.1',
          CLUSTER_ADVERTISE_ADDR: '127.0.0.1',
          CLUSTER_GOSSIP_BIND_PORT: String(base),
          CLUSTER_DATA_BIND_PORT: String(base + 1),
          RAFT_PORT: String(base + 2),
          RAFT_INTERNAL_RPC_PORT: String(base + 3),
          RAFT_BOOTSTRAP_EXPECT: '1',
          RAFT_JOIN: 'node1',
          GRPC_PORT: String(config.weaviate.grpcPort),
          LOG_LEVEL: 'warning',
        },
        ports: [
          { port: config.weaviate.port, host: config.weaviate.host, setting: 'PAC_WEAVIATE_URL' },
          { port: config.weaviate.grpcPort, host: '0.0.0.0', setting: 'PAC_WEAVIATE_GRPC_PORT' },
          ...[0, 1, 2, 3].map((offset) => ({
            port: base + offset,
            host: '127.0.0.1',
            setting: 'PAC_WEAVIATE_CLUSTER_PORT (uses this port and the next three)',
          })),
        ],
      };
    }
  }
}

function paths(config: Config, engine: ServerEngine) {
  return {
    pidFile: join(config.stateDir, 'run', `${engine}.json`),
    logFile: join(config.stateDir, 'logs', `${engine}.log`),
  };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readPid(config: Config, engine: ServerEngine): Promise<PidRecord | undefined> {
  const { pidFile } = paths(config, engine);
  if (!existsSync(pidFile)) return undefined;
  try {
    return pidRecord.parse(JSON.parse(await readFile(pidFile, 'utf8')));
  } catch {
    return undefined;
  }
}

/** Resolves true when nothing listens on host:port (we can bind it ourselves). */
export function portIsFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolvePromise) => {
    const server = createServer();
    server.once('error', () => resolvePromise(false));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolvePromise(true)));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface UpResult {
  engine: ServerEngine;
  action: 'started' | 'already-running';
  pid: number;
  seconds: number;
  health: EngineHealth;
}

async function startOne(config: Config, engine: ServerEngine, log: (line: string) => void): Promise<UpResult> {
  const started = Date.now();
  const existing = await readPid(config, engine);
  if (existing && isAlive(existing.pid)) {
    const health = await probeEngine(engine, config);
    if (health.healthy) return { engine, action: 'already-running', pid: existing.pid, seconds: 0, health };
  }
  const spec = launchSpec(engine, config);
  if (!existsSync(spec.command)) {
    throw new Error(`cannot start ${engine}: ${spec.command} is missing. Run \`npm run install:engines\` first.`);
  }
  if (existing && isAlive(existing.pid)) {
    // ours, but not answering: restart it cleanly rather than leave a half-dead process behind
    await stopOne(config, engine);
  }
  for (const { port, host, setting } of spec.ports) {
    if (!(await portIsFree(port, host))) throw new PortInUseError(engine, port, setting);
  }
  const { pidFile, logFile } = paths(config, engine);
  await mkdir(join(config.stateDir, 'run'), { recursive: true });
  await mkdir(join(config.stateDir, 'logs'), { recursive: true });
  await mkdir(join(config.stateDir, 'data'), { recursive: true });
  log(`[up] ${engine}: starting (log: ${logFile})`);
  const out = openSync(logFile, 'a');
  const child = spawn(spec.command, spec.args, {
    env: { ...process.env, ...spec.env },
    stdio: ['ignore', out, out],
    detached: true,
    cwd: config.stateDir,
  });
  closeSync(out);
  const pid = child.pid;
  if (pid === undefined) throw new EngineStartError(engine, 'the process could not be spawned', logFile);
  let exitCode: number | null | undefined;
  child.on('exit', (code, signal) => {
    exitCode = code ?? (signal ? -1 : null);
  });
  child.unref();
  const record: PidRecord = {
    engine,
    pid,
    startedAt: new Date().toISOString(),
    command: [spec.command, ...spec.args],
    logFile,
  };
  await writeFile(pidFile, `${JSON.stringify(record, null, 2)}\n`);

  const deadline = Date.now() + config.engineStartTimeoutMs;
  for (;;) {
    if (exitCode !== undefined) {
      await rm(pidFile, { force: true });
      throw new EngineStartError(engine, `the process exited with code ${exitCode}`, logFile);
    }
    const health = await probeEngine(engine, config);
    if (health.healthy) {
      const seconds = (Date.now() - started) / 1000;
      log(`[up] ${engine}: healthy in ${seconds.toFixed(1)}s (${health.url ?? ''} ${health.version ?? ''})`.trimEnd());
      return { engine, action: 'started', pid, seconds, health };
    }
    if (Date.now() > deadline) {
      await stopOne(config, engine);
      throw new EngineStartError(engine, `not healthy after ${config.engineStartTimeoutMs} ms (PAC_ENGINE_START_TIMEOUT_MS)`, logFile);
    }
    await sleep(250);
  }
}

/** Starts the engines that are not running yet (in parallel) and waits until each is healthy. */
export async function up(
  config: Config,
  engines: ServerEngine[] = SERVER_ENGINES,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<UpResult[]> {
  const settled = await Promise.allSettled(engines.map((engine) => startOne(config, engine, log)));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  if (failures.length > 0) {
    // leave nothing half-started behind
    const started = settled.flatMap((s) => (s.status === 'fulfilled' && s.value.action === 'started' ? [s.value.engine] : []));
    await down(config, started, () => {});
    throw failures.length === 1 ? failures[0] : new AggregateError(failures, failures.map((f) => f.message).join('\n\n'));
  }
  return settled.map((s) => (s as PromiseFulfilledResult<UpResult>).value);
}

async function stopOne(config: Config, engine: ServerEngine): Promise<'stopped' | 'not-running'> {
  const record = await readPid(config, engine);
  const { pidFile } = paths(config, engine);
  if (!record || !isAlive(record.pid)) {
    await rm(pidFile, { force: true });
    return 'not-running';
  }
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(-record.pid, sig); // the whole process group: mlflow forks workers
    } catch {
      try {
        process.kill(record.pid, sig);
      } catch {
        /* already gone */
      }
    }
  };
  signal('SIGTERM');
  const deadline = Date.now() + 15_000;
  while (isAlive(record.pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(record.pid)) signal('SIGKILL');
  while (isAlive(record.pid)) await sleep(50);
  await rm(pidFile, { force: true });
  return 'stopped';
}

/** Stops the engines that `up` started (those with a pid file); leaves anything else alone. */
export async function down(
  config: Config,
  engines: ServerEngine[] = SERVER_ENGINES,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Record<ServerEngine, 'stopped' | 'not-running'>> {
  const results = await Promise.all(engines.map(async (engine) => [engine, await stopOne(config, engine)] as const));
  for (const [engine, result] of results) log(`[down] ${engine}: ${result}`);
  return Object.fromEntries(results) as Record<ServerEngine, 'stopped' | 'not-running'>;
}

export interface StatusReport {
  engines: Record<ServerEngine | 'opa', EngineHealth & { managed: boolean; pid?: number }>;
}

/** Health of every engine, and whether `up` started it (it has a live pid file). */
export async function status(config: Config): Promise<StatusReport> {
  const entries = await Promise.all(
    (['temporal', 'mlflow', 'weaviate', 'opa'] as const).map(async (engine) => {
      const health = await probeEngine(engine, config);
      const record = engine === 'opa' ? undefined : await readPid(config, engine);
      const managed = record !== undefined && isAlive(record.pid);
      return [engine, { ...health, managed, ...(managed ? { pid: record?.pid } : {}) }] as const;
    }),
  );
  return { engines: Object.fromEntries(entries) as StatusReport['engines'] };
}
