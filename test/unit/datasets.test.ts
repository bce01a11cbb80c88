import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  corpusDigest,
  DatasetError,
  loadKnowledgeBase,
  loadNegativeFixtures,
  loadPolicyIndex,
  loadPositiveFixtures,
  parseRecord,
  readJsonl,
  readManifest,
} from '../../datasets/load';
import { FAILURE_LOG_FILE as FAILURE_LOG, FP_SCORES_FILE as FP_SCORES, GENERATED_DIR, LATENCY_FILE } from '../../datasets/paths';
import {
  type FailureRecord,
  type FpMeasurement,
  failureRecordSchema,
  fpMeasurementSchema,
  generatedDatasetMetaSchema,
  labelledManifestSchema,
  latencyMeasurementSchema,
  PSS_CONTROLS,
  WORKLOAD_KINDS,
} from '../../datasets/schemas';
import { BENIGN_VARIANTS, benignCases } from '../../datasets/synthetic/benign';
import { generateManifests } from '../../datasets/synthetic/manifests';
import { sha256 } from '../../lib/digest';
import { fpScore } from '../../tools/generate-failures';
import { INVENTORY_SIZES, ITEM_SIZES } from '../../tools/measure-latency';

describe('datasets on disk', () => {
  const index = loadPolicyIndex();

  it('holds at least 60 policies, each with a valid metadata line and both files', () => {
    expect(index.length).toBeGreaterThanOrEqual(60);
  });

  it('covers every Pod Security Standards Baseline and Restricted control', () => {
    const covered = new Set(index.flatMap((m) => m.pss));
    const missing = [...PSS_CONTROLS.baseline, ...PSS_CONTROLS.restricted].filter((control) => !covered.has(control));
    expect(missing).toEqual([]);
  });

  it('has workload policies that name every workload kind', () => {
    const podPolicies = index.filter((m) => m.kinds.includes('Pod') && m.category === 'pod-security');
    expect(podPolicies.length).toBeGreaterThan(10);
    for (const meta of podPolicies) expect(meta.kinds, meta.id).toEqual(expect.arrayContaining([...WORKLOAD_KINDS]));
  });

  it('has at least 60 positive and 120 negative fixtures, all valid', () => {
    expect(loadPositiveFixtures().length).toBeGreaterThanOrEqual(60);
    const negatives = loadNegativeFixtures();
    expect(negatives.length).toBeGreaterThanOrEqual(120);
    const ids = new Set(index.map((m) => m.id));
    const unknown = negatives.flatMap((f) => f.expected.deny.filter((id) => !ids.has(id)).map((id) => `${f.name}: ${id}`));
    expect(unknown).toEqual([]);
  });

  it('positive fixtures cover every workload kind and the RBAC and networking kinds', () => {
    const kinds = new Set(loadPositiveFixtures().map((f) => f.manifest.kind));
    for (const kind of [...WORKLOAD_KINDS, 'Role', 'ClusterRole', 'RoleBinding', 'Service', 'Ingress', 'NetworkPolicy']) {
      expect(kinds.has(kind), kind).toBe(true);
    }
  });
});

describe('dataset errors', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pac-datasets-'));

  it('names the file and line of a bad JSON Lines record', () => {
    const file = join(dir, 'rows.jsonl');
    writeFileSync(file, '{"a": 1}\n{"a": "x"}\n');
    expect(() => readJsonl(file, z.object({ a: z.number() }))).toThrow(DatasetError);
    expect(() => readJsonl(file, z.object({ a: z.number() }))).toThrow(/rows.jsonl:2: a: /);
    writeFileSync(file, '{"a": 1}\nnot json\n');
    expect(() => readJsonl(file, z.object({ a: z.number() }))).toThrow(/rows\.jsonl:2: not valid JSON/);
  });

  it('refuses a manifest file with two objects or without a kind', () => {
    const two = join(dir, 'two.yaml');
    writeFileSync(two, 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Pod\nmetadata: {name: b}\n');
    expect(() => readManifest(two)).toThrow(/two\.yaml: expected exactly one object, found 2/);
    const noKind = join(dir, 'nokind.yaml');
    writeFileSync(noKind, 'apiVersion: v1\nmetadata: {name: a}\n');
    expect(() => readManifest(noKind)).toThrow(/nokind\.yaml: kind: /);
  });
});

describe('manifest generator', () => {
  it('gives the same manifests for the same seed and different ones for another seed', () => {
    expect(generateManifests(42, 200)).toEqual(generateManifests(42, 200));
    expect(JSON.stringify(generateManifests(43, 200))).not.toBe(JSON.stringify(generateManifests(42, 200)));
  });

  it('makes manifest i depend only on (seed, i)', () => {
    expect(generateManifests(42, 50).slice(10)).toEqual(generateManifests(42, 50).slice(10));
    expect(generateManifests(42, 20)).toEqual(generateManifests(42, 50).slice(0, 20));
  });

  it('produces every kind, and workloads both with and without optional fields', () => {
    const manifests = generateManifests(1, 2000);
    const kinds = new Set(manifests.map((m) => m.kind));
    for (const kind of [
      ...WORKLOAD_KINDS,
      'Service',
      'Ingress',
      'ConfigMap',
      'Role',
      'ClusterRole',
      'RoleBinding',
      'ClusterRoleBinding',
      'NetworkPolicy',
      'Namespace',
    ]) {
      expect(kinds.has(kind), kind).toBe(true);
    }
    const deployments = manifests.filter((m) => m.kind === 'Deployment');
    const withReplicas = deployments.filter((m) => (m.spec as { replicas?: number }).replicas !== undefined).length;
    expect(withReplicas).toBeGreaterThan(deployments.length * 0.8);
    expect(withReplicas).toBeLessThan(deployments.length);
  });
});

describe('failure log', () => {
  const index = new Map(loadPolicyIndex().map((m) => [m.id, m]));
  let rows: FailureRecord[] = [];
  let scores: FpMeasurement[] = [];
  beforeAll(() => {
    rows = readJsonl(FAILURE_LOG, failureRecordSchema);
    scores = readJsonl(FP_SCORES, fpMeasurementSchema);
  });

  it('validates, names known policies and is in time order', () => {
    expect(rows.length).toBeGreaterThan(1000);
    expect(rows.filter((r) => !index.has(r.policy)).map((r) => r.id)).toEqual([]);
    const simulated = rows.filter((r) => r.source === 'simulated');
    expect(simulated.map((r) => r.time)).toEqual([...simulated.map((r) => r.time)].sort());
    expect(new Set(rows.map((r) => r.id)).size).toBe(rows.length);
  });

  it("carries each policy's measured fp_score, reliability and severity", () => {
    const fp = new Map(scores.map((s) => [s.policy, s.fp_score]));
    for (const row of rows.filter((r) => r.source === 'simulated')) {
      expect(row.fp_score, row.id).toBe(fp.get(row.policy));
      expect(row.policy_reliability, row.id).toBe(index.get(row.policy)?.reliability);
      expect(row.severity, row.id).toBe(index.get(row.policy)?.severity);
    }
  });

  it('has both decisions, mostly accepted, and policy changes where fp_score is high', () => {
    const changes = rows.filter((r) => r.decision === 'policy_change');
    expect(changes.length).toBeGreaterThan(rows.length * 0.1);
    expect(changes.length).toBeLessThan(rows.length * 0.9);
    expect(rows.filter((r) => r.accepted).length).toBeGreaterThan(rows.length * 0.6);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(changes.map((r) => r.fp_score))).toBeGreaterThan(
      mean(rows.filter((r) => r.decision === 'manifest_patch').map((r) => r.fp_score)),
    );
  });

  it('measures fp_score for every policy with the documented formula', () => {
    expect(scores.map((s) => s.policy).sort()).toEqual([...index.keys()].sort());
    for (const s of scores) expect(s.fp_score, s.policy).toBe(fpScore(s.benignWeight, s.negativeDenied));
    expect(fpScore(0, 3)).toBeLessThan(fpScore(1, 3));
    expect(fpScore(0, 0)).toBeCloseTo(0.2);
  });

  it('knows acceptable variants with a reason each, and applies them to copies', () => {
    const positives = loadPositiveFixtures();
    const before = JSON.stringify(positives);
    const cases = benignCases(positives);
    expect(JSON.stringify(positives)).toBe(before);
    expect(new Set(cases.map((c) => c.variant)).size).toBe(BENIGN_VARIANTS.length);
    for (const v of BENIGN_VARIANTS) expect(v.reason.length, v.id).toBeGreaterThan(30);
  });
});

describe('latency measurements', () => {
  it('measure every policy over every input size, with the machine and the pinned OPA version', () => {
    const rows = readJsonl(LATENCY_FILE, latencyMeasurementSchema);
    const index = loadPolicyIndex();
    const pinned = JSON.parse(readFileSync(new URL('../../infra/versions.json', import.meta.url), 'utf8')).opa.version as string;
    for (const meta of index) {
      const mine = rows.filter((r) => r.policy === meta.id);
      expect(new Set(mine.map((r) => r.items)), meta.id).toEqual(new Set(ITEM_SIZES));
      if (meta.usesInventory) expect(new Set(mine.map((r) => r.inventoryObjects)), meta.id).toEqual(new Set([...INVENTORY_SIZES]));
    }
    for (const row of rows) {
      expect(row.opaVersion.replace(/^v?/, 'v')).toBe(pinned);
      expect(row.machine.cpus).toBeGreaterThan(0);
    }
  });
});

describe('generated datasets', () => {
  const metas = existsSync(GENERATED_DIR) ? readdirSync(GENERATED_DIR).filter((f) => f.endsWith('.meta.json')) : [];

  it('exist, and each file matches its recorded digest, count and schema', () => {
    expect(metas.length).toBeGreaterThan(0);
    for (const name of metas) {
      const meta = parseRecord(generatedDatasetMetaSchema, JSON.parse(readFileSync(join(GENERATED_DIR, name), 'utf8')), name);
      const file = join(GENERATED_DIR, `${meta.name}.jsonl`);
      expect(sha256(readFileSync(file)), `${meta.name}.jsonl digest`).toBe(meta.digest);
      const rows = readJsonl(file, labelledManifestSchema);
      expect(rows.length).toBe(meta.count);
      expect(meta.corpusDigest, `${meta.name} was labelled with another corpus: run npm run datasets:generate`).toBe(corpusDigest());
    }
  });
});

describe('knowledge base', () => {
  it('has at least 12 documents with valid front matter, covering the required topics', () => {
    const docs = loadKnowledgeBase();
    expect(docs.length).toBeGreaterThanOrEqual(12);
    const ids = new Set(docs.map((d) => d.id));
    for (const id of [
      'data-versioning',
      'experiment-tracking',
      'model-registry',
      'training-pipelines',
      'model-serving',
      'ci-cd-for-ml',
      'monitoring-and-drift',
      'security-and-governance',
      'llm-basics',
      'agent-frameworks',
      'retrieval-augmented-generation',
      'platform-overview',
      'drafting-workflow',
      'pod-security-standards-and-corpus',
    ]) {
      expect(ids.has(id), id).toBe(true);
    }
  });

  it('refuses a document whose id does not match its file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'pac-kb-'));
    writeFileSync(join(dir, 'alpha.md'), `---\nid: beta\ntitle: A title\ntopics: [x]\nupdated: 2026-11-23\n---\n${'text '.repeat(200)}`);
    expect(() => loadKnowledgeBase(dir)).toThrow(/alpha\.md: id: "beta" must equal the file name "alpha"/);
  });
});
