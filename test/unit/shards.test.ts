/**
 * The shard arithmetic and the feature shards, without engines: ranges cover every row once,
 * file names are content addresses, a bad index or size is refused, and the feature file merged
 * from shards (in any completion order, with a retried shard) is byte for byte the file the
 * one-activity path writes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type BatchDocument, summarise, writeBatch } from '../../activities/analyze/batch';
import type { ResourceReport } from '../../activities/analyze/report';
import { computeRankerFeatures } from '../../activities/lifecycle/compute-ranker';
import { labelledRow, type PendingRankerRow } from '../../activities/lifecycle/ingest-ranker';
import { policiesPathOf } from '../../activities/lifecycle/ranker-data';
import { computeFeatureShard, mergeFeatureShards, shardCount, shardPath, shardRange } from '../../activities/lifecycle/shards-compute';
import { generateManifests } from '../../datasets/synthetic/manifests';
import type { Config } from '../../infra/config';
import { sha256 } from '../../lib/digest';

const dir = mkdtempSync(join(tmpdir(), 'pac-shards-'));
mkdirSync(join(dir, 'shards'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = () => {};

describe('shard ranges', () => {
  it('cover every row exactly once, in order, for any size', () => {
    for (const [rows, size] of [
      [1, 500],
      [500, 500],
      [501, 500],
      [1234, 100],
      [7, 1],
    ] as const) {
      const n = shardCount(rows, size);
      expect(n).toBe(Math.ceil(rows / size));
      const covered: number[] = [];
      for (let i = 0; i < n; i++) {
        const { from, to } = shardRange(i, size, rows);
        expect(to - from).toBeGreaterThan(0);
        expect(to - from).toBeLessThanOrEqual(size);
        for (let r = from; r < to; r++) covered.push(r);
      }
      expect(covered).toEqual(Array.from({ length: rows }, (_, r) => r));
    }
  });

  it('an empty set is one (empty) shard; a bad size or index is refused with the numbers', () => {
    expect(shardCount(0, 10)).toBe(1);
    expect(() => shardCount(10, 0)).toThrow(/shard size must be a whole number ≥ 1, got 0/);
    expect(() => shardCount(10, 2.5)).toThrow(/got 2.5/);
    expect(() => shardRange(3, 5, 15)).toThrow(/shard 3 is not one of the 3 shards/);
    expect(() => shardRange(-1, 5, 15)).toThrow(/shard -1/);
  });

  it('names files by content digest and index, and refuses a name that is not a digest', () => {
    const digest = sha256('rows');
    expect(shardPath('/w', 'labels', digest, 7)).toBe(`/w/shards/labels-${digest.slice(0, 16)}-00007.json`);
    expect(shardPath('/w', 'pending', digest, 0)).toMatch(/pending-[0-9a-f]{16}-00000\.jsonl$/);
    expect(() => shardPath('/w', 'labels', '../../etc', 0)).toThrow(/not a content digest/);
  });
});

describe('feature shards', () => {
  const manifests = generateManifests(7, 230, { shift: 0 });
  const pending: PendingRankerRow[] = manifests.map((manifest, i) => ({
    id: `sim-7-${i}`,
    kind: String(manifest.kind),
    manifest,
    origin: 'simulated',
    source: 'simulated',
    time: null,
    group: `g${i % 17}`,
  }));
  const rows = pending.map((row, i) => labelledRow(row, i % 3 ? [] : ['p-a']));
  const datasetPath = join(dir, 'ranker-data.jsonl');
  writeFileSync(datasetPath, rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  writeFileSync(
    policiesPathOf(datasetPath),
    JSON.stringify({
      corpusDigest: 'c',
      policies: [{ id: 'p-a', kinds: ['*'], severity: 'high', features: [], reliability: 0.5, published: false }],
    }),
  );
  const digest = sha256(pending.map((r) => `${JSON.stringify(r)}\n`).join(''));
  const size = 50;

  it('merged in shard order, they equal the one-activity feature file byte for byte, whatever order they ran in', () => {
    const n = shardCount(pending.length, size);
    expect(n).toBe(5);
    for (let i = 0; i < n; i++) {
      const { from, to } = shardRange(i, size, pending.length);
      writeFileSync(
        shardPath(dir, 'pending', digest, i),
        pending
          .slice(from, to)
          .map((r) => `${JSON.stringify(r)}\n`)
          .join(''),
      );
    }
    // completion order 4, 2, 0, 3, 1, and shard 2 retried (rewrites the same file)
    for (const i of [4, 2, 0, 3, 1, 2]) {
      const written = computeFeatureShard(
        { pendingPath: shardPath(dir, 'pending', digest, i), outPath: shardPath(dir, 'features', digest, i), digest, index: i },
        quiet,
      );
      expect(written).toBe(shardRange(i, size, pending.length).to - shardRange(i, size, pending.length).from);
    }
    const shardPaths = Array.from({ length: n }, (_, i) => shardPath(dir, 'features', digest, i));
    const merged = mergeFeatureShards({ datasetPath, shardPaths, outPath: join(dir, 'merged.json') }, quiet);
    const whole = computeRankerFeatures({ datasetPath, outPath: join(dir, 'whole.json') }, quiet);
    expect(readFileSync(join(dir, 'merged.json'))).toEqual(readFileSync(join(dir, 'whole.json')));
    expect(merged).toEqual(whole);
    expect(merged.rows).toBe(230);
  }, 60_000);

  it('a shard out of place or a missing row is an error, not a silently shorter table', () => {
    const n = shardCount(pending.length, size);
    const shardPaths = Array.from({ length: n }, (_, i) => shardPath(dir, 'features', digest, i));
    const swapped = [shardPaths[1] as string, shardPaths[0] as string, ...shardPaths.slice(2)];
    expect(() => mergeFeatureShards({ datasetPath, shardPaths: swapped, outPath: join(dir, 'x.json') }, quiet)).toThrow(
      /holds shard 1, expected shard 0/,
    );
    expect(() => mergeFeatureShards({ datasetPath, shardPaths: shardPaths.slice(0, -1), outPath: join(dir, 'x.json') }, quiet)).toThrow(
      /the feature shards hold 200 rows, the dataset .* 230/,
    );
  });
});

describe('batch plans', () => {
  const config = { stateDir: dir, models: { shardSize: 4 } } as unknown as Config;
  const documents: BatchDocument[] = generateManifests(3, 10, { shift: 0 }).map((manifest, i) => ({
    source: 'in.yaml',
    line: 1 + i * 20,
    manifest,
  }));
  const selection = { policies: ['a', 'b'], threshold: 'low' as const, inventory: { namespace: {}, cluster: {} } };

  it('are addressed by documents, selection and inventory: the same batch twice writes the same files; another selection another address', () => {
    const first = writeBatch(config, documents, selection);
    const bytes = readFileSync(shardPath(first.dir, 'pending', first.digest, 2));
    const again = writeBatch(config, documents, selection);
    expect(again).toEqual(first);
    expect(readFileSync(shardPath(first.dir, 'pending', first.digest, 2))).toEqual(bytes);
    expect(first.shards).toBe(3);
    expect(bytes.toString().trim().split('\n')).toHaveLength(2);
    expect(writeBatch(config, documents, { ...selection, policies: ['a'] }).digest).not.toBe(first.digest);
    expect(writeBatch(config, documents, { ...selection, inventory: { namespace: { x: {} }, cluster: {} } }).digest).not.toBe(first.digest);
    expect(writeBatch(config, documents, { ...selection, shardSize: 10 }).shards).toBe(1);
  });

  it('summaries count findings as pac analyze does: exempted apart, clean = no active finding, threshold inclusive', () => {
    const finding = (severity: 'low' | 'high', exempted?: boolean) => ({
      policy: `p-${severity}`,
      title: 't',
      severity,
      pss: null,
      messages: ['m'],
      ...(exempted ? { exempted: { reason: 'r' } } : {}),
    });
    const resource = (findings: ReturnType<typeof finding>[]) =>
      ({ source: 's', line: 1, kind: 'Pod', name: 'n', resource: 'Pod n', findings }) as ResourceReport;
    const reports = [resource([]), resource([finding('low'), finding('high')]), resource([finding('high', true)])];
    expect(summarise(reports, 'high')).toEqual({
      resources: 3,
      clean: 2,
      findings: { critical: 0, high: 1, medium: 0, low: 1 },
      exempted: 1,
      atOrAboveThreshold: 1,
    });
    expect(summarise(reports, 'low').atOrAboveThreshold).toBe(2);
  });
});
