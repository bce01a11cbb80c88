/**
 * The team profile's PostgreSQL: MLflow's backend store (`pac up --profile team`).
 *
 * - The binaries come from Debian's packages (`apt-get install -y postgresql`), installed only when
 *   the team profile is chosen and only when they are missing; where that cannot be done (not root,
 *   no apt-get, apt failed) the error says what to install by hand.
 * - The cluster lives in `$PAC_STATE_DIR/postgres/data`, created by initdb into a temporary sibling
 *   and renamed, so an interrupted initdb never leaves a half-made cluster. PostgreSQL refuses to run
 *   as root: as root every PostgreSQL binary runs as the `postgres` system user (setpriv), and when
 *   that user cannot reach the state directory (a 0700 home or temporary directory) the cluster goes
 *   to `/var/lib/postgresql/kube-pac-copilot/<digest of the state directory>` instead.
 * - It listens on 127.0.0.1:PAC_POSTGRES_PORT only (no Unix socket), password authentication
 *   (scram-sha-256); the password is generated once into `$PAC_STATE_DIR/postgres/password` (0600)
 *   and handed to clients in the environment (PGPASSWORD, MLFLOW_BACKEND_STORE_URI), never on a
 *   command line, in a log or in output: `maskUri` hides it wherever a URI is shown.
 * - PAC_POSTGRES_URI points MLflow at an existing database instead: nothing is installed or started.
 */
import { execFile, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { delimiter, dirname, join } from 'node:path';
import { sha256 } from '../lib/digest';
import type { Config } from './config';

export class PostgresUnavailableError extends Error {
  constructor(reason: string) {
    super(
      `cannot provide PostgreSQL for the team profile: ${reason}\n` +
        'Install it by hand (Debian/Ubuntu: `apt-get install -y postgresql` as root; elsewhere your package manager ' +
        'or postgresql.org packages: initdb, pg_ctl, postgres and psql are needed), or set PAC_POSTGRES_URI to an ' +
        'existing database (postgresql://user:password@host:port/database).',
    );
    this.name = 'PostgresUnavailableError';
  }
}

/**
 * PAC_POSTGRES_URI checked where it is used, never echoed (it holds a password): the configuration
 * loader accepts any text for it, so a ConfigError cannot show it either.
 */
export function checkPostgresUri(uri: string): string {
  let url: URL | undefined;
  try {
    url = new URL(uri);
  } catch {
    url = undefined;
  }
  if (!url || !/^postgres(ql)?(\+\w+)?:$/.test(url.protocol) || !url.hostname || url.pathname.length < 2) {
    throw new PostgresUnavailableError(
      'PAC_POSTGRES_URI is not a PostgreSQL URI (value hidden: it may hold a password); expected postgresql://user:password@host:port/database',
    );
  }
  return uri;
}

/** A PostgreSQL URI with its password replaced by "***" (for logs, status and errors). */
export function maskUri(uri: string): string {
  return uri.replace(/^(postgres(?:ql)?(?:\+\w+)?:\/\/[^:/@\s]+):[^@\s]*@/, '$1:***@');
}

/**
 * The URI as MLflow's SQLAlchemy store takes it, with the driver named: SQLAlchemy 2.1 maps a bare
 * postgresql:// to psycopg 3, while MLflow's venv carries psycopg2 (infra/install.ts).
 */
export function sqlalchemyUri(uri: string): string {
  return uri.replace(/^postgres(?:ql)?:\/\//, 'postgresql+psycopg2://');
}

/** The URI MLflow's SQLAlchemy store takes: the password percent-encoded. */
export function postgresUri(parts: { user: string; password: string; host: string; port: number; database: string }): string {
  return `postgresql+psycopg2://${encodeURIComponent(parts.user)}:${encodeURIComponent(parts.password)}@${parts.host}:${parts.port}/${parts.database}`;
}

/** What to do about missing binaries; pure, for the unit test. */
export function installDecision(facts: {
  found: boolean;
  platform: string;
  isRoot: boolean;
  hasAptGet: boolean;
}): { action: 'none' } | { action: 'apt' } | { action: 'fail'; reason: string } {
  if (facts.found) return { action: 'none' };
  if (facts.platform !== 'linux')
    return { action: 'fail', reason: `the PostgreSQL binaries are missing and ${facts.platform} has no apt-get` };
  if (!facts.hasAptGet) return { action: 'fail', reason: 'the PostgreSQL binaries are missing and apt-get is not available here' };
  if (!facts.isRoot) return { action: 'fail', reason: 'the PostgreSQL binaries are missing and installing them with apt-get needs root' };
  return { action: 'apt' };
}

/** Debian's /usr/lib/postgresql/<major>/bin (newest major first), else the PATH. */
export function findPostgresBin(roots: string[] = ['/usr/lib/postgresql']): string | undefined {
  const wanted = ['initdb', 'postgres', 'psql'];
  const complete = (dir: string) => wanted.every((b) => existsSync(join(dir, b)));
  for (const root of roots) {
    if (!existsSync(root)) continue;
    const majors = readdirSync(root)
      .filter((d) => /^\d+$/.test(d))
      .sort((a, b) => Number(b) - Number(a));
    for (const major of majors) if (complete(join(root, major, 'bin'))) return join(root, major, 'bin');
  }
  return (process.env.PATH ?? '').split(delimiter).find((dir) => dir && complete(dir));
}

const onPath = (binary: string) => (process.env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, binary)));
const isRoot = () => process.getuid?.() === 0;

function run(command: string, args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 600_000): Promise<{ code: number; output: string }> {
  return new Promise((resolvePromise) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolvePromise({ code, output: `${stdout}${stderr}${error && !stderr ? error.message : ''}` });
    });
  });
}

/** The PostgreSQL binaries, installed from Debian's packages when they are missing. Idempotent. */
export async function ensurePostgresInstalled(log: (line: string) => void): Promise<string> {
  const found = findPostgresBin();
  const decision = installDecision({
    found: found !== undefined,
    platform: process.platform,
    isRoot: isRoot(),
    hasAptGet: onPath('apt-get'),
  });
  if (decision.action === 'none') return found as string;
  if (decision.action === 'fail') throw new PostgresUnavailableError(decision.reason);
  log('[up] postgres: installing Debian package postgresql (apt-get install -y postgresql) ...');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  let result = await run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], env);
  if (result.code !== 0) {
    // a fresh machine has no package lists yet
    await run('apt-get', ['update'], env);
    result = await run('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql'], env);
  }
  const bin = findPostgresBin();
  if (result.code !== 0 || !bin) {
    throw new PostgresUnavailableError(`apt-get install postgresql failed:\n${result.output.trim().split('\n').slice(-15).join('\n')}`);
  }
  return bin;
}

export interface PostgresLocation {
  /** our own files: the password (and the cluster, when the server user can reach it) */
  home: string;
  passwordFile: string;
  /** the cluster's data directory */
  dataDir: string;
  /** as root: run every PostgreSQL binary as this system user */
  runAs?: string;
}

/** `command args` as the server user when we are root (PostgreSQL refuses to run as root). */
export function asServerUser(location: PostgresLocation, command: string, args: string[]): { command: string; args: string[] } {
  if (!location.runAs) return { command, args };
  return { command: 'setpriv', args: [`--reuid=${location.runAs}`, `--regid=${location.runAs}`, '--init-groups', '--', command, ...args] };
}

function serverUserCanReach(user: string, dir: string): boolean {
  return spawnSync('setpriv', [`--reuid=${user}`, `--regid=${user}`, '--init-groups', '--', 'test', '-x', dir]).status === 0;
}

/** Where the cluster and its password live; creates the directories with their owners. */
export async function postgresLocation(config: Config): Promise<PostgresLocation> {
  const home = join(config.stateDir, 'postgres');
  await mkdir(home, { recursive: true, mode: 0o700 });
  const passwordFile = join(home, 'password');
  if (!isRoot()) return { home, passwordFile, dataDir: join(home, 'data') };
  const runAs = 'postgres';
  if (spawnSync('id', ['-u', runAs]).status !== 0) {
    throw new PostgresUnavailableError('running as root, and there is no `postgres` system user to run the server as');
  }
  // the server user needs to traverse into our home only: 0711 lists nothing, the password file stays 0600
  await chmod(home, 0o711);
  let dataDir = join(home, 'data');
  if (!serverUserCanReach(runAs, home)) {
    dataDir = join('/var/lib/postgresql/kube-pac-copilot', sha256(config.stateDir).slice(0, 16), 'data');
  }
  await mkdir(dirname(dataDir), { recursive: true });
  return { home, passwordFile, dataDir, runAs };
}

function userIds(user: string): { uid: number; gid: number } {
  const out = spawnSync('id', [user], { encoding: 'utf8' }).stdout;
  const uid = Number(/uid=(\d+)/.exec(out)?.[1]);
  const gid = Number(/gid=(\d+)/.exec(out)?.[1]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new PostgresUnavailableError(`cannot read the ids of user ${user}`);
  return { uid, gid };
}

/** The superuser password, generated once (0600). */
export async function postgresPassword(location: PostgresLocation): Promise<string> {
  if (existsSync(location.passwordFile)) return (await readFile(location.passwordFile, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  await writeFile(`${location.passwordFile}.tmp`, `${password}\n`, { mode: 0o600 });
  await rename(`${location.passwordFile}.tmp`, location.passwordFile);
  return password;
}

/** initdb when the cluster does not exist yet (into a temporary sibling, renamed when complete). */
export async function ensureCluster(bin: string, location: PostgresLocation, log: (line: string) => void): Promise<'created' | 'present'> {
  if (existsSync(join(location.dataDir, 'PG_VERSION'))) return 'present';
  if (existsSync(location.dataDir)) {
    throw new PostgresUnavailableError(`${location.dataDir} exists but holds no PostgreSQL cluster (no PG_VERSION); move it away`);
  }
  const password = await postgresPassword(location);
  const parent = dirname(location.dataDir);
  const work = join(parent, `.initdb-${process.pid}`);
  const pwfile = join(parent, `.pw-${process.pid}`);
  await rm(work, { recursive: true, force: true });
  await mkdir(work, { mode: 0o700 });
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (location.runAs) {
      // initdb runs as the server user: it must own the new cluster directory and read the password file
      const { uid, gid } = userIds(location.runAs);
      await chown(work, uid, gid);
      await chown(pwfile, uid, gid);
    }
    log(`[up] postgres: initdb ${location.dataDir}`);
    const args = ['-D', work, '--username=postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale'];
    const cmd = asServerUser(location, join(bin, 'initdb'), args);
    const result = await run(cmd.command, cmd.args, {}, 300_000);
    if (result.code !== 0) throw new PostgresUnavailableError(`initdb failed:\n${result.output.trim().split('\n').slice(-15).join('\n')}`);
    await rename(work, location.dataDir);
  } finally {
    await rm(pwfile, { force: true });
    await rm(work, { recursive: true, force: true });
  }
  return 'created';
}

/** The postgres server command: TCP on 127.0.0.1 only, no Unix socket, logs on stderr. */
export function serverCommand(bin: string, location: PostgresLocation, config: Config): { command: string; args: string[] } {
  const args = ['-D', location.dataDir, '-c', `port=${config.postgres.port}`, '-c', `listen_addresses=${config.postgres.host}`];
  return asServerUser(location, join(bin, 'postgres'), [...args, '-c', 'unix_socket_directories=', '-c', 'max_connections=100']);
}

/** One SQL statement through psql over TCP, the password in the environment; the first column of every row. */
export async function psql(
  bin: string,
  config: Config,
  password: string,
  database: string,
  sql: string,
  user = 'postgres',
): Promise<string[]> {
  const { host, port } = config.postgres;
  const args = ['-X', '-q', '-t', '-A', '-v', 'ON_ERROR_STOP=1', '-h', host, '-p', String(port), '-U', user, '-d', database, '-c', sql];
  const result = await run(join(bin, 'psql'), args, { PGPASSWORD: password, PGCONNECT_TIMEOUT: '3' }, 30_000);
  if (result.code !== 0) throw new Error(`psql: ${result.output.trim().split('\n').slice(-3).join(' ')}`);
  return result.output.split('\n').filter((line) => line.length > 0);
}

/** Creates MLflow's database when it does not exist (a concurrent creation counts as done). */
export async function ensureDatabase(bin: string, config: Config, password: string): Promise<'created' | 'present'> {
  const name = config.postgres.database;
  const exists = async () =>
    (await psql(bin, config, password, 'postgres', `SELECT 1 FROM pg_database WHERE datname = '${name}'`)).length > 0;
  if (await exists()) return 'present';
  try {
    await psql(bin, config, password, 'postgres', `CREATE DATABASE "${name}"`);
  } catch (error) {
    if (!(await exists())) throw error;
  }
  return 'created';
}

export interface PostgresHealth {
  engine: 'postgres';
  healthy: boolean;
  url?: string;
  version?: string;
  detail?: string;
}

/** The password file of the managed cluster (read-only: for the probe, without creating anything). */
export const passwordFileOf = (config: Config) => join(config.stateDir, 'postgres', 'password');

/** Never throws: a server that does not answer (or refuses the password) is reported unhealthy. */
export async function probePostgres(config: Config): Promise<PostgresHealth> {
  const url = maskUri(config.postgres.externalUri ?? `postgresql://postgres@${config.postgres.host}:${config.postgres.port}/`);
  const bin = findPostgresBin();
  if (!bin) return { engine: 'postgres', healthy: false, url, detail: 'the PostgreSQL client (psql) is not installed' };
  try {
    const external = config.postgres.externalUri ? new URL(config.postgres.externalUri) : undefined;
    const password = external
      ? decodeURIComponent(external.password)
      : (await readFile(passwordFileOf(config), 'utf8').catch(() => '')).trim();
    const target = external
      ? { ...config, postgres: { ...config.postgres, host: external.hostname, port: Number(external.port || 5432) } }
      : config;
    const user = external ? decodeURIComponent(external.username) : 'postgres';
    const database = external ? external.pathname.slice(1) || 'postgres' : 'postgres';
    const [version] = await psql(bin, target, password, database, "SELECT current_setting('server_version')", user);
    return { engine: 'postgres', healthy: true, url, version, detail: `database ${external ? database : config.postgres.database}` };
  } catch (error) {
    return { engine: 'postgres', healthy: false, url, detail: maskUri((error as Error).message) };
  }
}
