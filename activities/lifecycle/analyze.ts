/**
 * `pac analyze`: for every Kubernetes object in YAML/JSON input, the corpus policies that really deny
 * it (real OPA, one batch) and the champion ranker's top-k with scores. A document that does not
 * parse is reported with its file and line; the other documents of the same file are still analysed.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { corpusRegoFiles, loadPolicyIndex } from '../../datasets/load';
import { INVENTORY_FILE } from '../../datasets/paths';
import type { Config } from '../../infra/config';
import { type DocumentProblem, readManifestText } from '../../lib/manifest-stream';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { REGISTERED_MODEL_NAMES } from '../../registry/promotion';
import { extractManifestFeatures, MANIFEST_FEATURES, relevantFeatures } from '../features';
import { evaluateCorpus } from '../opa/corpus';
import { loadArtifactOf } from '../training/artifact';
import { heuristicRanker, type Ranker } from '../training/ranker';

export interface InputText {
  /** file path, or "-" for standard input */
  source: string;
  text: string;
}

export interface AnalyzedResource {
  source: string;
  /** 1-based line where the document starts */
  line: number;
  resource: string;
  denied: { policy: string; messages: string[] }[];
  ranked: { policy: string; score: number }[];
}

export type AnalyzeError = DocumentProblem;

export interface AnalyzeReport {
  resources: AnalyzedResource[];
  errors: AnalyzeError[];
  /** which ranker ranked: "kpc-policy-ranker v3 (champion)" or the heuristic when there is none */
  ranker: string;
}

/** Reads files, directories (*.yaml, *.yml, *.json, recursively) or "-" (standard input). */
export function readInputs(paths: readonly string[], stdin: () => string): InputText[] {
  const out: InputText[] = [];
  const visit = (path: string) => {
    if (path === '-') {
      out.push({ source: '-', text: stdin() });
      return;
    }
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) throw new Error(`${path}: no such file or directory`);
    if (stat.isDirectory()) {
      for (const name of readdirSync(path).sort()) {
        const child = join(path, name);
        if (statSync(child).isDirectory() || /\.(ya?ml|json)$/i.test(name)) visit(child);
      }
      return;
    }
    out.push({ source: path, text: readFileSync(path, 'utf8') });
  };
  for (const path of paths) visit(path);
  return out;
}

interface ParsedObject {
  source: string;
  line: number;
  manifest: Record<string, unknown>;
}

/** Splits every input into documents; a broken document becomes an error with its line. */
export function parseInputs(inputs: readonly InputText[]): { objects: ParsedObject[]; errors: AnalyzeError[] } {
  const objects: ParsedObject[] = [];
  const errors: AnalyzeError[] = [];
  for (const input of inputs) {
    const parsed = readManifestText(input.text, input.source);
    for (const { source, line, manifest } of parsed.objects) objects.push({ source, line, manifest });
    errors.push(...parsed.problems);
  }
  return { objects, errors };
}

function describe(manifest: Record<string, unknown>): string {
  const meta = (manifest.metadata ?? {}) as Record<string, unknown>;
  const name = String(meta.name ?? '<unnamed>');
  return meta.namespace ? `${manifest.kind} ${meta.namespace}/${name}` : `${manifest.kind} ${name}`;
}

/** The champion ranker from MLflow, or the heuristic baseline when there is no champion yet. */
export async function championRanker(config: Config): Promise<{ ranker: Ranker; label: string }> {
  const client = mlflowClientFromConfig(config);
  const name = REGISTERED_MODEL_NAMES.ranker;
  try {
    const champion = await client.getModelVersionByAlias(name, 'champion');
    if (champion?.run_id) {
      const { model } = loadArtifactOf('ranker', JSON.parse(await client.downloadText(champion.run_id, 'model/model.json')));
      return { ranker: model, label: `${name} v${champion.version} (champion)` };
    }
  } catch {
    // MLflow not reachable: fall back to the heuristic, and say so
  }
  const policies = loadPolicyIndex().map((m) => ({ id: m.id, kinds: m.kinds, reliability: m.reliability, relevant: relevantFeatures(m) }));
  return { ranker: heuristicRanker(policies, { spec: MANIFEST_FEATURES }), label: 'heuristic baseline (no champion ranker in MLflow yet)' };
}

export async function analyze(config: Config, inputs: readonly InputText[], options: { top?: number } = {}): Promise<AnalyzeReport> {
  const { objects, errors } = parseInputs(inputs);
  const { ranker, label } = await championRanker(config);
  const evaluations = objects.length
    ? await evaluateCorpus({
        opa: config.opa,
        regoFiles: corpusRegoFiles(),
        dataFiles: [INVENTORY_FILE],
        manifests: objects.map((o) => o.manifest),
      })
    : [];
  const top = options.top ?? 5;
  const resources = objects.map((object, i) => ({
    source: object.source,
    line: object.line,
    resource: describe(object.manifest),
    denied: Object.entries(evaluations[i]?.denied ?? {})
      .map(([policy, messages]) => ({ policy, messages }))
      .sort((a, b) => a.policy.localeCompare(b.policy)),
    ranked: ranker
      .rank(extractManifestFeatures(object.manifest), top)
      .map((r) => ({ policy: r.id, score: Math.round(r.score * 10_000) / 10_000 })),
  }));
  return { resources, errors, ranker: label };
}
