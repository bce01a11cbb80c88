/**
 * Starts, stops and reports on the local engines: the Temporal dev server, the MLflow tracking
 * server and Weaviate (OPA is a command, not a server: it is only reported on). The team profile
 * (`pac up --profile team`) adds PostgreSQL as MLflow's backend store (infra/postgres.ts); the
 * local profile, the default, keeps MLflow on SQLite.
 *
 * Each started engine gets a pid file and a log file in `<stateDir>/run` and `<stateDir>/logs`;
 * `down` stops exactly the processes recorded there, nothing else.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import type { Config } from './config';
import { type EngineHealth, probeEngine } from './health';
import { installPostgresDriver } from './install';
import * as pg from './postgres';

export type ServerEngine = 'postgres' | 'temporal' | 'mlflow' | 'weaviate';
/** the local profile's engines (the default) */
export const SERVER_ENGINES: ServerEngine[] = ['temporal', 'mlflow', 'weaviate'];
export const ALL_ENGINES: ServerEngine[] = ['postgres', ...SERVER_ENGINES];
export const PROFILES = ['local', 'team'] as const;
export type Profile = (typeof PROFILES)[number];

/** The engines of a profile: the team profile adds PostgreSQL, unless PAC_POSTGRES_URI names an existing one. */
export function profileEngines(profile: Profile, config: Config): ServerEngine[] {
  return profile === 'team' && !config.postgres.externalUri ? ALL_ENGINES : SERVER_ENGINES;
}

/** MLflow's backend store as it may be shown: the password masked. */
export function maskedBackend(config: Config, profile: Profile): string {
  if (profile === 'local') return `sqlite:///${join(config.stateDir, 'data', 'mlflow.sqlite')}`;
  const { host, port, database, externalUri } = config.postgres;
  return pg.maskUri(externalUri ?? `postgresql://postgres:***@${host}:${port}/${database}`);
}

/** What the team profile's MLflow needs: the backend store URI (secret), and the managed cluster when there is one. */
interface TeamBackend {
  uri: string;
  bin?: string;
  location?: pg.PostgresLocation;
  password?: string;
}

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
  engine: z.enum(['postgres', 'temporal', 'mlflow', 'weaviate']),
  profile: z.enum(PROFILES).optional(),
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

/** The artifact root: PAC_MLFLOW_ARTIFACT_ROOT (a directory or s3://…), default $PAC_STATE_DIR/data/mlflow-artifacts. */
export function artifactRoot(config: Config): string {
  const root = config.mlflow.artifactRoot;
  if (root?.startsWith('s3://')) return root;
  return root ? (isAbsolute(root) ? root : resolve(root)) : join(config.stateDir, 'data', 'mlflow-artifacts');
}

function launchSpec(engine: ServerEngine, config: Config, team?: TeamBackend): LaunchSpec {
  const data = join(config.stateDir, 'data');
  switch (engine) {
    case 'postgres': {
      if (!team?.bin || !team.location) throw new Error('postgres is started by the team profile only: pac up --profile team');
      const { command, args } = pg.serverCommand(team.bin, team.location, config);
      return { command, args, ports: [{ port: config.postgres.port, host: config.postgres.host, setting: 'PAC_POSTGRES_PORT' }] };
    }
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
        // the backend store URI goes in the environment: with PostgreSQL it holds a password, which a
        // command line would show to every user of the machine (ps) and in the pid file
        args: [
          'server',
          '--artifacts-destination',
          artifactRoot(config),
          '--serve-artifacts',
          '--host',
          config.mlflow.host,
          '--port',
          String(config.mlflow.port),
          '--workers',
          '1',
        ],
        // the job runner (GenAI scorers, periodic tasks) is not used here; it would start extra worker processes
        env: {
          MLFLOW_BACKEND_STORE_URI: team?.uri ?? `sqlite:///${join(data, 'mlflow.sqlite')}`,
          MLFLOW_DISABLE_TELEMETRY: 'true',
          DO_NOT_TRACK: 'true',
          MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false',
        },
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

type Health = EngineHealth | pg.PostgresHealth;

export interface UpResult {
  engine: ServerEngine;
  action: 'started' | 'already-running';
  pid: number;
  seconds: number;
  health: Health;
}

const probe = (engine: ServerEngine, config: Config): Promise<Health> =>
  engine === 'postgres' ? pg.probePostgres(config) : probeEngine(engine, config);

async function startOne(config: Config, engine: ServerEngine, log: (line: string) => void, team?: TeamBackend): Promise<UpResult> {
  const started = Date.now();
  const existing = await readPid(config, engine);
  const profile: Profile = team ? 'team' : 'local';
  if (existing && isAlive(existing.pid) && engine === 'mlflow' && (existing.profile ?? 'local') !== profile) {
    throw new Error(
      `mlflow is running with the ${existing.profile ?? 'local'} profile (pid ${existing.pid}); run \`pac down mlflow\` first to start it with the ${profile} profile`,
    );
  }
  if (existing && isAlive(existing.pid)) {
    const health = await probe(engine, config);
    if (health.healthy) return { engine, action: 'already-running', pid: existing.pid, seconds: 0, health };
  }
  const spec = launchSpec(engine, config, team);
  if (!existsSync(spec.command) && engine !== 'postgres') {
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
    ...(engine === 'mlflow' ? { profile } : {}),
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
    const health = await probe(engine, config);
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

/**
 * The team profile's backend before any server starts: PostgreSQL's binaries (Debian packages when
 * missing), MLflow's driver, the cluster and its password, or PAC_POSTGRES_URI as it is.
 */
async function prepareTeam(config: Config, log: (line: string) => void): Promise<TeamBackend> {
  if ((await installPostgresDriver(config)) === 'installed') log('[up] mlflow: PostgreSQL driver installed');
  if (config.postgres.externalUri) {
    const uri = pg.checkPostgresUri(config.postgres.externalUri);
    log(`[up] mlflow: backend store ${pg.maskUri(uri)} (PAC_POSTGRES_URI)`);
    return { uri: pg.sqlalchemyUri(uri) };
  }
  const bin = await pg.ensurePostgresInstalled(log);
  const location = await pg.postgresLocation(config);
  await pg.ensureCluster(bin, location, log);
  const password = await pg.postgresPassword(location);
  const { host, port, database } = config.postgres;
  return { uri: pg.postgresUri({ user: 'postgres', password, host, port, database }), bin, location, password };
}

/**
 * Starts the engines that are not running yet (in parallel) and waits until each is healthy. The
 * team profile first starts PostgreSQL and creates MLflow's database (idempotently).
 */
export async function up(
  config: Config,
  engines: ServerEngine[] = SERVER_ENGINES,
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  options: { profile?: Profile } = {},
): Promise<UpResult[]> {
  const profile = options.profile ?? 'local';
  const results: UpResult[] = [];
  let team: TeamBackend | undefined;
  const rest = engines.filter((e) => e !== 'postgres');
  try {
    if (profile === 'team' && (engines.includes('postgres') || engines.includes('mlflow'))) {
      team = await prepareTeam(config, log);
      if (team.bin) {
        results.push(await startOne(config, 'postgres', log, team));
        await pg.ensureDatabase(team.bin, config, team.password as string);
      }
    } else if (profile === 'local' && engines.includes('postgres')) {
      throw new Error('postgres belongs to the team profile: pac up --profile team');
    }
  } catch (error) {
    await down(
      config,
      results.filter((r) => r.action === 'started').map((r) => r.engine),
      () => {},
    );
    throw error;
  }
  const settled = await Promise.allSettled(rest.map((engine) => startOne(config, engine, log, team)));
  const failures = settled.flatMap((s) => (s.status === 'rejected' ? [s.reason as Error] : []));
  if (failures.length > 0) {
    // leave nothing half-started behind
    const started = [...results, ...settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []))].filter(
      (r) => r.action === 'started',
    );
    await down(
      config,
      started.map((r) => r.engine),
      () => {},
    );
    throw failures.length === 1 ? failures[0] : new AggregateError(failures, failures.map((f) => f.message).join('\n\n'));
  }
  return [...results, ...settled.map((s) => (s as PromiseFulfilledResult<UpResult>).value)];
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
      // PostgreSQL: the postmaster alone, SIGINT = fast shutdown (it stops its own backends);
      // the others: the whole process group (mlflow forks workers)
      if (engine === 'postgres') process.kill(record.pid, sig === 'SIGTERM' ? 'SIGINT' : sig);
      else process.kill(-record.pid, sig);
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

/**
 * Stops the engines that `up` started (those with a pid file); leaves anything else alone.
 * PostgreSQL stops last, after the MLflow server that uses it. Without a list: every engine, and
 * PostgreSQL (team profile) is only reported when it was running.
 */
export async function down(
  config: Config,
  engines?: ServerEngine[],
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<Partial<Record<ServerEngine, 'stopped' | 'not-running'>>> {
  const named = engines ?? ALL_ENGINES;
  const results: [ServerEngine, 'stopped' | 'not-running'][] = await Promise.all(
    named
      .filter((e) => e !== 'postgres')
      .map(async (engine) => [engine, await stopOne(config, engine)] as [ServerEngine, 'stopped' | 'not-running']),
  );
  if (named.includes('postgres')) {
    const result = await stopOne(config, 'postgres');
    if (engines || result === 'stopped') results.push(['postgres', result]);
  }
  for (const [engine, result] of results) log(`[down] ${engine}: ${result}`);
  return Object.fromEntries(results) as Partial<Record<ServerEngine, 'stopped' | 'not-running'>>;
}

export interface StatusReport {
  engines: Partial<Record<ServerEngine | 'opa', Health & { managed: boolean; pid?: number }>>;
}

/**
 * Health of every engine, and whether `up` started it (it has a live pid file). PostgreSQL is
 * listed when the team profile started it or PAC_POSTGRES_URI names one.
 */
export async function status(config: Config): Promise<StatusReport> {
  const withPostgres = config.postgres.externalUri !== undefined || (await readPid(config, 'postgres')) !== undefined;
  const names = [...(withPostgres ? (['postgres'] as const) : []), ...(['temporal', 'mlflow', 'weaviate', 'opa'] as const)];
  const entries = await Promise.all(
    names.map(async (engine) => {
      const health = engine === 'opa' ? await probeEngine('opa', config) : await probe(engine, config);
      const record = engine === 'opa' ? undefined : await readPid(config, engine);
      const managed = record !== undefined && isAlive(record.pid);
      return [engine, { ...health, managed, ...(managed ? { pid: record?.pid } : {}) }] as const;
    }),
  );
  return { engines: Object.fromEntries(entries) as StatusReport['engines'] };
}
