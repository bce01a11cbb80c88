/**
 * The one way troubleshooting asks OPA whether manifests are denied: many manifests in one
 * `opa eval` process (the manifests go in as one input document; a comprehension evaluates `deny`
 * with each of them as `input`), optionally restricted to some policies (their files + the
 * library, which is faster) and with policy parameters (`data.kpc.params`) written to a temporary
 * data file. Real OPA, every time.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusRegoFiles } from '../../datasets/load';
import { INVENTORY_FILE, POLICIES_DIR } from '../../datasets/paths';
import type { Config } from '../../infra/config';
import { opaEval } from '../opa/opa';

/** policy id → denial messages (only the policies that deny). */
export type Denials = Record<string, string[]>;

/** `data.kpc.params`: policy id → parameter → value. */
export type PolicyParams = Record<string, Record<string, unknown>>;

export const packageKeyOf = (policyId: string) => policyId.replaceAll('-', '_');
export const policyIdOfKey = (key: string) => key.replaceAll('_', '-');

export interface EvaluateDenialsOptions {
  opa: Config['opa'];
  manifests: readonly unknown[];
  /** only these policies (default: the whole corpus) */
  policies?: readonly string[];
  params?: PolicyParams;
  /** manifests per opa process (default 400) */
  chunkSize?: number;
  signal?: AbortSignal;
}

function regoFilesFor(policies: readonly string[] | undefined): string[] {
  if (!policies) return corpusRegoFiles();
  return [join(POLICIES_DIR, 'lib', 'k8s.rego'), ...policies.map((id) => join(POLICIES_DIR, id, 'policy.rego'))];
}

/** The denials of every manifest, in input order. Chunks run one after the other (2-core machine). */
export async function evaluateDenials(options: EvaluateDenialsOptions): Promise<Denials[]> {
  const chunkSize = options.chunkSize ?? 400;
  const keys = options.policies?.map(packageKeyOf);
  const query = keys
    ? `labels := [r | some m in input.manifests; r := {k: d | some k in ${JSON.stringify(keys)}; d := data.kpc.policies[k].deny with input as m; count(d) > 0}]`
    : 'labels := [r | some m in input.manifests; r := {k: d | some k; d := data.kpc.policies[k].deny with input as m; count(d) > 0}]';
  let paramsDir: string | undefined;
  const dataPaths = [...regoFilesFor(options.policies), INVENTORY_FILE];
  try {
    if (options.params && Object.keys(options.params).length > 0) {
      paramsDir = await mkdtemp(join(tmpdir(), 'pac-params-'));
      const file = join(paramsDir, 'params.json');
      await writeFile(file, JSON.stringify({ kpc: { params: options.params } }));
      dataPaths.push(file);
    }
    const out: Denials[] = [];
    for (let start = 0; start < options.manifests.length; start += chunkSize) {
      const manifests = options.manifests.slice(start, start + chunkSize);
      const report = await opaEval({
        opa: options.opa,
        timeoutMs: Math.max(options.opa.timeoutMs, 120_000),
        query,
        dataPaths,
        input: { manifests },
        signal: options.signal,
      });
      const labels = report.result[0]?.bindings?.labels;
      if (!Array.isArray(labels) || labels.length !== manifests.length) {
        throw new Error(`opa eval returned ${Array.isArray(labels) ? labels.length : 'no'} results for ${manifests.length} manifests`);
      }
      for (const entry of labels as Record<string, string[]>[]) {
        out.push(Object.fromEntries(Object.entries(entry).map(([key, messages]) => [policyIdOfKey(key), [...messages].sort()])));
      }
    }
    return out;
  } finally {
    if (paramsDir) await rm(paramsDir, { recursive: true, force: true });
  }
}
