/**
 * The observation store across real processes: several Node processes append at once while
 * another compacts, writers and compactors are killed with SIGKILL at each step, and the result is
 * read back — exact counts, no record lost, none counted twice (also on disk: the rows of all
 * segments add up to the records written).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pl from 'nodejs-polars';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { closeWriters, compactObservations, observationCounts, readObservations } from '../../activities/observations';
import { type Config, loadConfig } from '../../infra/config';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHILD = fileURLToPath(new URL('./observations-child.ts', import.meta.url));
const DAY = 86_400_000;

let dir: string;
let env: NodeJS.ProcessEnv;
let config: Config;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pac-obs-int-'));
  env = { ...process.env, PAC_STATE_DIR: dir, PAC_OBSERVATIONS_DIR: join(dir, 'store'), PAC_OBSERVE: 'on' };
  config = loadConfig(env);
});

afterEach(() => {
  closeWriters();
  rmSync(dir, { recursive: true, force: true });
});

interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs the child script; `onLine` sees each line of its output as it comes. */
function child(args: string[], onLine?: (line: string) => void): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => {
      stdout += d;
      if (onLine) for (const line of String(d).split('\n')) if (line) onLine(line);
    });
    proc.stderr.on('data', (d) => {
      stderr += d;
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

const ok = (r: ChildResult) => {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r;
};

/** Files under a folder of the observations table (relative paths). */
function storeFiles(sub: string): string[] {
  const root = join(config.observations.dir, 'observations', sub);
  return existsSync(root) ? readdirSync(root, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(root, f)).isFile()) : [];
}

/** Rows in all segment files, read directly (duplicates on disk would show here). */
function rowsOnDisk(): number {
  const root = join(config.observations.dir, 'observations', 'segments');
  return storeFiles('segments')
    .filter((f) => f.endsWith('.parquet'))
    .reduce((sum, f) => sum + pl.readParquet(readFileSync(join(root, f))).height, 0);
}

function expectExactly(names: string[]) {
  const read = readObservations(config, { since: Date.now() - 10 * DAY });
  expect(read).toHaveLength(names.length);
  expect(new Set(read.map((o) => o.id)).size).toBe(names.length);
  expect(read.map((o) => o.name).sort()).toEqual([...names].sort());
  return read;
}

const names = (tag: string, count: number) => Array.from({ length: count }, (_, i) => `${tag}-${i}`);

describe('observation store, several processes', () => {
  it('three writers and a compactor at once: every record exactly once', async () => {
    const stop = join(dir, 'stop');
    let ready: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      ready = resolve;
    });
    const compactor = child(['compact-loop', stop], (line) => line === 'ready' && ready());
    await started;
    const writers = await Promise.all(['a', 'b', 'c'].map((tag) => child(['write', '400', tag])));
    for (const w of writers) expect(JSON.parse(ok(w).stdout)).toMatchObject({ wrote: 400 });
    writeFileSync(stop, '');
    const loop = JSON.parse(ok(await compactor).stdout.replace('ready\n', '')) as { rounds: number; records: number };
    // the compactor really worked while the writers wrote
    expect(loop.rounds).toBeGreaterThan(1);
    expect(loop.records).toBeGreaterThan(0);
    const final = compactObservations(config);
    // what the background compactor did not take, the final compaction did: together, all of it
    expect(loop.records + final.observations.records).toBe(1200);
    expect(storeFiles('wal')).toEqual([]);
    expect(storeFiles('compacting')).toEqual([]);
    const read = expectExactly([...names('a', 400), ...names('b', 400), ...names('c', 400)]);
    expect(rowsOnDisk()).toBe(1200);
    // the writers' secrets are nowhere in the store
    expect(JSON.stringify(read)).not.toMatch(/secret-[abc]-\d/);
    // each writer gives record i the source cli/api/ci and the day today/yesterday/the day before by i % 3
    const perClass = [0, 1, 2].map((r) => 3 * names('', 400).filter((_, i) => i % 3 === r).length);
    expect(perClass).toEqual([402, 399, 399]);
    const counts = observationCounts(config, { by: ['source'] });
    expect(counts.rows).toEqual([
      { source: 'api', count: perClass[1], distinct: perClass[1] },
      { source: 'ci', count: perClass[2], distinct: perClass[2] },
      { source: 'cli', count: perClass[0], distinct: perClass[0] },
    ]);
    expect(observationCounts(config, { by: ['day'] }).rows.map((r) => r.count)).toEqual([perClass[2], perClass[1], perClass[0]]);
  });

  it('a writer killed with SIGKILL: its flushed records are kept, its open file sealed by the next compactor', async () => {
    const killed = await child(['write-and-die', '50', 'k']);
    expect(killed.signal).toBe('SIGKILL');
    expect(storeFiles('wal').some((f) => f.endsWith('.open.jsonl'))).toBe(true);
    // readers see the records already, from the dead writer's file
    expectExactly(names('k', 50));
    const stats = compactObservations(config);
    expect(stats.observations.sealedAbandoned).toBe(1);
    expect(storeFiles('wal')).toEqual([]);
    expectExactly(names('k', 50));
    expect(rowsOnDisk()).toBe(50);
  });

  it.each([
    ['claimed', 1],
    ['segment-written', 1],
    ['segment-written', 2],
    ['segments-written', 1],
  ])('a compactor killed after %s (#%i): the next one finishes its claim; nothing lost, nothing twice', async (step, nth) => {
    ok(await child(['write', '90', 'x']));
    const crashed = await child(['compact-crash', String(step), String(nth)]);
    expect(crashed.signal).toBe('SIGKILL');
    expect(storeFiles('compacting').length).toBeGreaterThan(0);
    // while the claim is orphaned, readers still count every record once
    expectExactly(names('x', 90));
    const stats = compactObservations(config);
    expect(stats.observations.recoveredClaims).toBe(1);
    expect(storeFiles('compacting')).toEqual([]);
    expectExactly(names('x', 90));
    expect(rowsOnDisk()).toBe(90);
  });

  it('retention: a compactor with a one-day retention drops the day before yesterday, and readers stop counting it', async () => {
    ok(await child(['write', '30', 'r']));
    const short = loadConfig({ ...env, PAC_OBSERVATIONS_RETENTION: '1d' });
    const stats = compactObservations(short);
    // the writer spreads records over today, yesterday and the day before
    expect(stats.observations.expired).toBe(10);
    expect(stats.observations.records).toBe(20);
    expect(observationCounts(short).total).toBe(20);
    expect(rowsOnDisk()).toBe(20);
  });
});
