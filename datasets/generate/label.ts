/**
 * Generates `count` manifests from `seed`, labels each with the corpus policies that deny it (real
 * OPA, evaluated in batch: one opa process per chunk of manifests) and writes a versioned dataset:
 *
 *   datasets/generated/<name>.jsonl       one LabelledManifest per line
 *   datasets/generated/<name>.meta.json   seed, count, content digest, corpus digest, OPA version, label counts
 *
 * Same seed, count and corpus → byte-identical file → same digest.
 *
 *   npm run datasets:generate -- --seed 42 --count 10000 [--name manifests-s42-n10000] [--out DIR]
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { evaluateCorpus } from '../../activities/opa/corpus';
import { opaVersion } from '../../activities/opa/opa';
import type { Config } from '../../infra/config';
import { loadConfig } from '../../infra/config';
import { corpusRegoFiles, DATASETS_DIR, INVENTORY_FILE, loadPolicyIndex } from '../load';
import { type GeneratedDatasetMeta, generatedDatasetMetaSchema, type LabelledManifest } from '../schemas';
import { generateManifests } from './manifests';

export const GENERATED_DIR = join(DATASETS_DIR, 'generated');

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Digest of what labels depend on: every corpus Rego file (by name and content) and the inventory. */
export function corpusDigest(files = [...corpusRegoFiles(), INVENTORY_FILE]): string {
  const hash = createHash('sha256');
  for (const file of files)
    hash
      .update(`${file.slice(DATASETS_DIR.length)}\0`)
      .update(readFileSync(file))
      .update('\0');
  return hash.digest('hex');
}

export interface LabelResult {
  rows: LabelledManifest[];
  jsonl: string;
  meta: GeneratedDatasetMeta;
}

export async function generateLabelledDataset(options: {
  config: Config;
  seed: number;
  count: number;
  name?: string;
  /** population shift (see generateManifests); 0 = the usual mix */
  shift?: number;
  onProgress?: (done: number, total: number) => void;
}): Promise<LabelResult> {
  const { config, seed, count } = options;
  const manifests = generateManifests(seed, count, { shift: options.shift ?? 0 });
  const started = performance.now();
  const evaluations = await evaluateCorpus({
    opa: config.opa,
    regoFiles: corpusRegoFiles(),
    dataFiles: [INVENTORY_FILE],
    manifests,
    onProgress: options.onProgress,
  });
  const labelSeconds = (performance.now() - started) / 1000;
  const rows: LabelledManifest[] = manifests.map((manifest, i) => ({
    id: `gen-${seed}-${i}`,
    kind: String(manifest.kind),
    manifest: manifest as LabelledManifest['manifest'],
    deny: Object.keys(evaluations[i]?.denied ?? {}).sort(),
  }));
  const jsonl = `${rows.map((row) => JSON.stringify(row)).join('\n')}\n`;
  const index = loadPolicyIndex();
  const labelsPerPolicy = Object.fromEntries(index.map((meta) => [meta.id, 0]));
  for (const row of rows) for (const id of row.deny) labelsPerPolicy[id] = (labelsPerPolicy[id] ?? 0) + 1;
  const meta = generatedDatasetMetaSchema.parse({
    name: options.name ?? `manifests-s${seed}-n${count}${options.shift ? `-shift${options.shift}` : ''}`,
    seed,
    count,
    digest: sha256(jsonl),
    corpusDigest: corpusDigest(),
    opaVersion: (await opaVersion({ opa: config.opa })).version,
    policies: index.length,
    labelsPerPolicy,
    deniedRows: rows.filter((row) => row.deny.length > 0).length,
    labelSeconds: Math.round(labelSeconds * 100) / 100,
  });
  return { rows, jsonl, meta };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string', default: '42' },
      count: { type: 'string', default: '2000' },
      name: { type: 'string' },
      out: { type: 'string', default: GENERATED_DIR },
    },
  });
  const seed = Number(values.seed);
  const count = Number(values.count);
  if (!Number.isInteger(seed) || seed < 0) throw new Error(`--seed: expected a whole number ≥ 0, got "${values.seed}"`);
  if (!Number.isInteger(count) || count <= 0) throw new Error(`--count: expected a whole number > 0, got "${values.count}"`);
  const result = await generateLabelledDataset({
    config: loadConfig(),
    seed,
    count,
    name: values.name,
    onProgress: (done, total) => process.stderr.write(`[label] ${done}/${total} manifests labelled\n`),
  });
  mkdirSync(values.out, { recursive: true });
  const base = join(values.out, result.meta.name);
  // through temporary names, data before metadata: a crash never leaves a file half-written
  writeFileSync(`${base}.jsonl.tmp`, result.jsonl);
  writeFileSync(`${base}.meta.json.tmp`, `${JSON.stringify(result.meta, null, 2)}\n`);
  renameSync(`${base}.jsonl.tmp`, `${base}.jsonl`);
  renameSync(`${base}.meta.json.tmp`, `${base}.meta.json`);
  process.stderr.write(
    `[label] ${count} manifests, ${result.meta.deniedRows} denied by at least one policy, labelled in ${result.meta.labelSeconds}s\n` +
      `[label] wrote ${base}.jsonl (sha256 ${result.meta.digest})\n`,
  );
}
