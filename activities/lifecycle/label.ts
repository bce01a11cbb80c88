/**
 * Labelling: which corpus policies deny each manifest, by real OPA (evaluated in batches). Used by
 * the lifecycle's ingest step and by `npm run datasets:generate` (tools/generate-labels.ts).
 */
import { corpusDigest, corpusRegoFiles, loadPolicyIndex } from '../../datasets/load';
import { INVENTORY_FILE } from '../../datasets/paths';
import { type GeneratedDatasetMeta, generatedDatasetMetaSchema, type LabelledManifest } from '../../datasets/schemas';
import { generateManifests } from '../../datasets/synthetic/manifests';
import type { Config } from '../../infra/config';
import { sha256 } from '../../lib/digest';
import { evaluateCorpus } from '../opa/corpus';
import { opaVersion } from '../opa/opa';

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
