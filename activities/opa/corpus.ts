/**
 * Evaluates the whole policy corpus against many manifests in one `opa eval` process per chunk
 * (as many processes at a time as there are cores):
 * the manifests go in as one input document and a comprehension evaluates every policy's `deny`
 * with each manifest as `input`. This is how fixtures are checked and training data is labelled.
 */
import { availableParallelism } from 'node:os';
import type { Config } from '../../infra/config';
import { opaEval } from './eval';

/** Policy id from the key under data.kpc.policies (ids are kebab-case, packages snake_case). */
export const policyIdOfPackageKey = (key: string) => key.replaceAll('_', '-');

const QUERY =
  'labels := [r | some m in input.manifests; r := {k: d | some k; d := data.kpc.policies[k].deny with input as m; count(d) > 0}]';

export interface CorpusEvaluation {
  /** policy id → denial messages, only for the policies that deny */
  denied: Record<string, string[]>;
}

export interface EvaluateCorpusOptions {
  opa: Config['opa'];
  /** corpus Rego files without tests (datasets/load corpusRegoFiles) */
  regoFiles: string[];
  /** data documents, e.g. the inventory (data.inventory) */
  dataFiles?: string[];
  manifests: readonly unknown[];
  /** manifests per opa process (default 500) */
  chunkSize?: number;
  /** opa processes at a time (default: the number of cores) */
  concurrency?: number;
  /** called after each chunk with the number of manifests done */
  onProgress?: (done: number, total: number) => void;
  timeoutMs?: number;
}

export async function evaluateCorpus(options: EvaluateCorpusOptions): Promise<CorpusEvaluation[]> {
  const chunkSize = options.chunkSize ?? 500;
  const starts: number[] = [];
  for (let start = 0; start < options.manifests.length; start += chunkSize) starts.push(start);
  const chunks: CorpusEvaluation[][] = new Array(starts.length);
  let done = 0;
  const evaluateChunk = async (index: number) => {
    const start = starts[index] as number;
    const manifests = options.manifests.slice(start, start + chunkSize);
    const report = await opaEval({
      opa: options.opa,
      timeoutMs: options.timeoutMs ?? Math.max(options.opa.timeoutMs, 120_000),
      query: QUERY,
      dataPaths: [...options.regoFiles, ...(options.dataFiles ?? [])],
      input: { manifests },
    });
    const labels = report.result[0]?.bindings?.labels;
    if (!Array.isArray(labels) || labels.length !== manifests.length) {
      throw new Error(
        `corpus evaluation returned ${Array.isArray(labels) ? labels.length : 'no'} results for ${manifests.length} manifests`,
      );
    }
    chunks[index] = (labels as Record<string, string[]>[]).map((entry) => ({
      denied: Object.fromEntries(Object.entries(entry).map(([key, messages]) => [policyIdOfPackageKey(key), [...messages].sort()])),
    }));
    done += manifests.length;
    options.onProgress?.(done, options.manifests.length);
  };
  // one opa process per core (chunks are independent); results keep the input order
  const parallel = Math.max(1, Math.min(options.concurrency ?? availableParallelism(), starts.length));
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < starts.length) await evaluateChunk(next++);
    }),
  );
  return chunks.flat();
}
