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
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateLabelledDataset } from '../activities/lifecycle/label';
import { GENERATED_DIR } from '../datasets/paths';
import { loadConfig } from '../infra/config';
import { writeAtomic } from '../lib/atomic';

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
const base = join(values.out, result.meta.name);
// data before metadata: a crash never leaves metadata describing data that is not there
writeAtomic(`${base}.jsonl`, result.jsonl);
writeAtomic(`${base}.meta.json`, `${JSON.stringify(result.meta, null, 2)}\n`);
process.stderr.write(
  `[label] ${count} manifests, ${result.meta.deniedRows} denied by at least one policy, labelled in ${result.meta.labelSeconds}s\n` +
    `[label] wrote ${base}.jsonl (sha256 ${result.meta.digest})\n`,
);
