/**
 * Labelling: which corpus policies deny each manifest, by the policy engine (activities/engine:
 * the corpus compiled to wasm, equal to `opa eval`), in batches across worker threads. Used by the
 * lifecycle's ingest step and by `npm run datasets:generate` (tools/generate-labels.ts).
 */
import { corpusDigest, loadPolicyIndex } from '../../datasets/load';
import { type GeneratedDatasetMeta, generatedDatasetMetaSchema, type LabelledManifest } from '../../datasets/schemas';
import { generateManifests } from '../../datasets/synthetic/manifests';
import type { Config } from '../../infra/config';
import { sha256 } from '../../lib/digest';
import { corpusEngine } from '../engine';
import { opaVersion } from '../opa/opa';

/** Manifests per engine call, so that progress can be reported. */
const LABEL_BATCH = 2000;

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
  // the committed corpus alone: labels must not depend on what this machine has published
  const engine = await corpusEngine(config, { sampleTimingEvery: 0, includePublished: false });
  const evaluations: { denied: Record<string, string[]> }[] = [];
  try {
    for (let start = 0; start < manifests.length; start += LABEL_BATCH) {
      evaluations.push(...(await engine.evaluate(manifests.slice(start, start + LABEL_BATCH))));
      options.onProgress?.(evaluations.length, manifests.length);
    }
  } finally {
    await engine.close();
  }
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
