/**
 * The observation store in one process, on a temporary directory: recording on/off, write-ahead
 * files, compaction into Parquet, reading windows, dedup, counts, retention, merge, recovery of a
 * dead compactor's claim, feedback. Multi-process writers and real crashes: test/integration.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pl from 'nodejs-polars';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  closeWriters,
  compactObservations,
  observationCounts,
  observationRecorder,
  readFeedback,
  readObservationFrame,
  readObservations,
  recordFeedback,
} from '../../activities/observations';
import { HOST } from '../../activities/observations/layout';
import { type Config, loadConfig } from '../../infra/config';

let dir: string;
let config: Config;

const DAY = 86_400_000;

/** Files under `root` (relative paths, sorted); none when it does not exist. */
const files = (root: string): string[] =>
  existsSync(root)
    ? readdirSync(root, { recursive: true, encoding: 'utf8' })
        .filter((f) => statSync(join(root, f)).isFile())
        .sort()
    : [];

const pod = (name: string, image = 'nginx:1.27', extra: Record<string, unknown> = {}) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: { containers: [{ name: 'c', image, env: [{ name: 'API_TOKEN', value: `tok-${name}-0123456789` }] }] },
  ...extra,
});

/** The pid of a process that has exited (a dead owner on this host). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'pac-obs-'));
  config = loadConfig({ HOME: dir, PAC_STATE_DIR: dir });
});

afterEach(() => {
  closeWriters();
  rmSync(dir, { recursive: true, force: true });
});

describe('recording', () => {
  it('writes nothing at all when PAC_OBSERVE=off', () => {
    const off = loadConfig({ HOME: dir, PAC_STATE_DIR: dir, PAC_OBSERVE: 'off' });
    const recorder = observationRecorder(off);
    expect(recorder.enabled).toBe(false);
    expect(recorder.record({ source: 'cli', manifest: pod('a') })).toBeUndefined();
    recorder.flush();
    closeWriters();
    expect(existsSync(off.observations.dir)).toBe(false);
  });

  it('puts the store under the state directory unless PAC_OBSERVATIONS_DIR says otherwise', () => {
    expect(config.observations.dir).toBe(join(dir, 'observations'));
    expect(loadConfig({ HOME: dir, PAC_STATE_DIR: dir, PAC_OBSERVATIONS_DIR: join(dir, 'elsewhere') }).observations.dir).toBe(
      join(dir, 'elsewhere'),
    );
    expect(config.observations).toMatchObject({ enabled: true, retentionMs: 90 * DAY, windowMs: 30 * DAY });
    expect(() => loadConfig({ HOME: dir, PAC_OBSERVE: 'maybe' })).toThrow(/PAC_OBSERVE/);
    expect(() => loadConfig({ HOME: dir, PAC_OBSERVATIONS_RETENTION: '90' })).toThrow(/PAC_OBSERVATIONS_RETENTION/);
  });

  it('queues records in memory and writes them as one batch; a later change to the manifest does not leak in', () => {
    const recorder = observationRecorder(config, { batch: 1000, flushMs: 60_000 });
    const manifest = pod('a');
    const id = recorder.record({ source: 'cli', manifest, denied: ['x'] });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    manifest.metadata.name = 'changed-after-recording';
    const wal = join(config.observations.dir, 'observations', 'wal');
    expect(files(wal)).toEqual([]);
    recorder.flush();
    const [file] = files(wal);
    expect(file).toMatch(new RegExp(`^${HOST}_${process.pid}_[0-9a-f]{8}\\.0\\.open\\.jsonl$`));
    const [line] = readFileSync(join(wal, file as string), 'utf8')
      .trim()
      .split('\n');
    expect(JSON.parse(line as string)).toMatchObject({ id, name: 'a', source: 'cli', denied: ['x'] });
    closeWriters();
    expect(files(wal)).toEqual([(file as string).replace('.open.jsonl', '.jsonl')]);
  });

  it('reads its own records before and after compaction, the same rows', () => {
    const recorder = observationRecorder(config);
    for (let i = 0; i < 25; i++) recorder.record({ source: i % 2 ? 'api' : 'cli', manifest: pod(`p${i}`) });
    const before = readObservations(config);
    expect(before).toHaveLength(25);
    const stats = compactObservations(config);
    expect(stats.observations).toMatchObject({ files: 1, records: 25, skipped: 0, segments: 1 });
    expect(files(join(config.observations.dir, 'observations', 'wal'))).toEqual([]);
    const segments = files(join(config.observations.dir, 'observations', 'segments'));
    expect(segments).toHaveLength(1);
    expect(segments[0]).toMatch(/^day=\d{4}-\d{2}-\d{2}\/[0-9a-z]+-.+\.parquet$/);
    const after = readObservations(config);
    expect(after).toEqual(before);
    // the segment is real Parquet, readable by polars directly
    const direct = pl.readParquet(join(config.observations.dir, 'observations', 'segments', segments[0] as string));
    expect(direct.height).toBe(25);
    expect(direct.getColumn('time').dtype.toString()).toMatch(/Datetime/);
  });

  it('never stores a planted secret in clear: not in the write-ahead bytes, not in the decoded segments', () => {
    const planted = ['hunter2-Correct-Horse-77', 'c3VwZXItc2VjcmV0LXZhbHVl', 'ops-lead@example.org'];
    const recorder = observationRecorder(config);
    recorder.record({
      source: 'cli',
      manifest: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 'db', annotations: { owner: planted[2] } },
        data: { password: planted[1] },
      },
    });
    recorder.record({
      source: 'api',
      manifest: pod('web', 'nginx:1.27', {
        spec: { containers: [{ name: 'c', image: 'nginx:1.27', env: [{ name: 'PW', value: planted[0] }] }] },
      }),
    });
    recorder.flush();
    const root = config.observations.dir;
    const walBytes = files(root)
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(join(root, f), 'latin1'))
      .join('\n');
    expect(walBytes).toContain('nginx:1.27'); // the grep works: ordinary values are there
    for (const value of planted) expect(walBytes).not.toContain(value);
    compactObservations(config);
    const segmentFiles = files(root).filter((f) => f.endsWith('.parquet'));
    expect(segmentFiles.length).toBeGreaterThan(0);
    for (const f of segmentFiles) {
      const raw = readFileSync(join(root, f), 'latin1');
      const decoded = JSON.stringify(pl.readParquet(join(root, f)).toRecords());
      expect(decoded).toContain('nginx:1.27');
      for (const value of planted) {
        expect(raw).not.toContain(value);
        expect(decoded).not.toContain(value);
      }
    }
  });
});

describe('reading', () => {
  it('keeps the newest observation of each manifest digest when asked, and filters by time and source', () => {
    const recorder = observationRecorder(config);
    const now = Date.now();
    const at = (daysAgo: number) => new Date(now - daysAgo * DAY).toISOString();
    recorder.record({ source: 'cli', manifest: pod('same'), time: at(3), denied: ['old'] });
    recorder.record({ source: 'api', manifest: pod('same'), time: at(1), denied: ['new'] });
    recorder.record({ source: 'ci', manifest: pod('other'), time: at(2) });
    recorder.record({ source: 'cli', manifest: pod('ancient'), time: at(45) });
    compactObservations(config);
    recorder.record({ source: 'admission', manifest: pod('fresh'), time: at(0) });

    const window = readObservations(config);
    expect(window.map((o) => o.name)).toEqual(['same', 'other', 'same', 'fresh']);
    const deduped = readObservations(config, { dedupe: 'digest' });
    expect(deduped.map((o) => [o.name, o.denied])).toEqual([
      ['other', null],
      ['same', ['new']],
      ['fresh', null],
    ]);
    expect(readObservations(config, { since: at(60) }).map((o) => o.name)).toContain('ancient');
    expect(readObservations(config, { sources: ['ci', 'admission'] }).map((o) => o.source)).toEqual(['ci', 'admission']);
    expect(readObservations(config, { since: at(2.5), until: at(0.5) }).map((o) => o.name)).toEqual(['other', 'same']);
    const frame = readObservationFrame(config, { dedupe: 'digest' });
    expect(frame.frame.height).toBe(3);
    expect(frame.frame.columns).toContain('skeletonDigest');
    expect(() => readObservations(config, { since: 'last tuesday' })).toThrow(/since: expected a date/);
  });

  it('counts per source, day and kind, with distinct digests, over everything retained', () => {
    const recorder = observationRecorder(config);
    const day = (n: number) => new Date(Date.UTC(2026, 0, 10 + n, 12)).toISOString();
    const now = Date.UTC(2026, 0, 20);
    recorder.record({ source: 'cli', manifest: pod('a'), time: day(0) });
    recorder.record({ source: 'cli', manifest: pod('a'), time: day(0) });
    recorder.record({ source: 'cli', manifest: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }, time: day(0) });
    recorder.record({ source: 'import', manifest: pod('b'), time: day(1) });
    compactObservations(config, { now });
    const counts = observationCounts(config, { now });
    expect(counts.total).toBe(4);
    expect(counts.distinct).toBe(3);
    expect(counts.rows).toEqual([
      { source: 'cli', day: '2026-01-10', kind: 'Pod', count: 2, distinct: 1 },
      { source: 'cli', day: '2026-01-10', kind: 'Service', count: 1, distinct: 1 },
      { source: 'import', day: '2026-01-11', kind: 'Pod', count: 1, distinct: 1 },
    ]);
    expect(observationCounts(config, { now, by: ['source'] }).rows).toEqual([
      { source: 'cli', count: 3, distinct: 2 },
      { source: 'import', count: 1, distinct: 1 },
    ]);
    expect(observationCounts(config, { now, by: ['kind', 'source'] }).by).toEqual(['source', 'kind']);
  });

  it('counts a record once when it is in a claim and in the segment written from it', () => {
    const recorder = observationRecorder(config);
    for (let i = 0; i < 5; i++) recorder.record({ source: 'cli', manifest: pod(`p${i}`) });
    closeWriters();
    const paths = join(config.observations.dir, 'observations');
    const sealed = files(join(paths, 'wal'));
    compactObservations(config);
    // put the already-compacted file back as a claim of a dead process, as after a crash before commit
    const claim = join(paths, 'compacting', `0000000001-${HOST}-1-deadbeef@${HOST}_${deadPid()}`);
    mkdirSync(claim, { recursive: true });
    const segment = files(join(paths, 'segments'))[0] as string;
    const rows = pl.readParquet(join(paths, 'segments', segment)).toRecords();
    writeFileSync(
      join(claim, sealed[0] as string),
      `${rows.map((r) => JSON.stringify({ ...r, time: (r.time as unknown as Date).toISOString(), manifest: JSON.parse(r.manifest as string) })).join('\n')}\n`,
    );
    const read = readObservationFrame(config);
    expect(read.frame.height).toBe(5);
    expect(read.repeated).toBe(5);
  });
});

describe('compaction', () => {
  it('finishes the claim of a dead compactor: same segment name, nothing lost, nothing twice', () => {
    const recorder = observationRecorder(config);
    for (let i = 0; i < 7; i++) recorder.record({ source: 'cli', manifest: pod(`p${i}`) });
    closeWriters();
    const root = join(config.observations.dir, 'observations');
    const [sealed] = files(join(root, 'wal'));
    const claimId = `0000000001-${HOST}-1-cafebabe`;
    const claim = join(root, 'compacting', `${claimId}@${HOST}_${deadPid()}`);
    mkdirSync(claim, { recursive: true });
    renameSync(join(root, 'wal', sealed as string), join(claim, sealed as string));
    // a live owner's claim is left alone
    const liveClaim = join(root, 'compacting', `0000000002-${HOST}-1-feedface@${HOST}_${process.ppid}`);
    mkdirSync(liveClaim, { recursive: true });
    const stats = compactObservations(config);
    expect(stats.observations.recoveredClaims).toBe(1);
    expect(stats.observations.records).toBe(7);
    expect(files(join(root, 'segments')).map((f) => f.split('/')[1])).toEqual([`${claimId}.parquet`]);
    expect(readdirSync(join(root, 'compacting'))).toEqual([`0000000002-${HOST}-1-feedface@${HOST}_${process.ppid}`]);
    expect(readObservations(config)).toHaveLength(7);
  });

  it('seals the open file of a dead writer and skips its torn last line', () => {
    const recorder = observationRecorder(config);
    recorder.record({ source: 'cli', manifest: pod('kept') });
    recorder.flush();
    const wal = join(config.observations.dir, 'observations', 'wal');
    const [open] = files(wal);
    const text = readFileSync(join(wal, open as string), 'utf8');
    closeWriters();
    rmSync(wal, { recursive: true });
    mkdirSync(wal);
    const dead = `${HOST}_${deadPid()}_0badf00d.0.open.jsonl`;
    writeFileSync(join(wal, dead), `${text}${text.slice(0, 40)}`);
    const stats = compactObservations(config);
    expect(stats.observations).toMatchObject({ sealedAbandoned: 1, records: 1, skipped: 1 });
    expect(readObservations(config).map((o) => o.name)).toEqual(['kept']);
  });

  it('drops records and day folders older than the retention', () => {
    const recorder = observationRecorder(config);
    const now = Date.UTC(2026, 5, 1, 12);
    recorder.record({ source: 'cli', manifest: pod('new'), time: new Date(now - 2 * DAY).toISOString() });
    recorder.record({ source: 'cli', manifest: pod('old'), time: new Date(now - 100 * DAY).toISOString() });
    let stats = compactObservations(config, { now });
    expect(stats.observations).toMatchObject({ records: 1, expired: 1 });
    const segments = join(config.observations.dir, 'observations', 'segments');
    expect(readdirSync(segments)).toEqual(['day=2026-05-30']);
    // ten days later with a 5-day retention, the day folder goes
    const short = loadConfig({ HOME: dir, PAC_STATE_DIR: dir, PAC_OBSERVATIONS_RETENTION: '5d' });
    stats = compactObservations(short, { now: now + 10 * DAY });
    expect(stats.observations.droppedDays).toEqual(['2026-05-30']);
    expect(readdirSync(segments)).toEqual([]);
    expect(observationCounts(config, { now }).total).toBe(0);
  });

  it('merges the many segments of a past day into one, keeping every record once', () => {
    const recorder = observationRecorder(config);
    const now = Date.UTC(2026, 5, 10, 12);
    const time = new Date(now - 3 * DAY).toISOString();
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3; i++) recorder.record({ source: 'cli', manifest: pod(`r${round}-${i}`), time });
      compactObservations(config, { now, mergeAbove: 0 });
    }
    const dayDir = join(config.observations.dir, 'observations', 'segments', 'day=2026-06-07');
    expect(readdirSync(dayDir)).toHaveLength(5);
    const stats = compactObservations(config, { now, mergeAbove: 4 });
    expect(stats.observations.mergedDays).toEqual(['2026-06-07']);
    expect(readdirSync(dayDir)).toHaveLength(1);
    const all = readObservations(config, { now, since: 0 });
    expect(all).toHaveLength(15);
    expect(new Set(all.map((o) => o.id)).size).toBe(15);
  });
});

describe('feedback', () => {
  it('stores explicit feedback at once, PII-masked, and reads it back after compaction', () => {
    const fb = recordFeedback(config, {
      source: 'cli',
      outcome: 'accepted',
      policy: 'image-digest-pinned',
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace: 'prod',
      name: 'web',
      who: 'alice',
      note: 'applied the patch, ping bob@example.com',
    });
    expect(fb.note).toBe('applied the patch, ping [EMAIL]');
    expect(readFeedback(config)).toEqual([fb]);
    compactObservations(config);
    expect(readFeedback(config)).toEqual([fb]);
    expect(() =>
      recordFeedback(config, { source: 'cli', outcome: 'liked' as 'accepted', policy: 'p', apiVersion: 'v1', kind: 'Pod', who: 'a' }),
    ).toThrow(/outcome/);
  });
});
