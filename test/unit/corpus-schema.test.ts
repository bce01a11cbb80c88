/**
 * Strict schema validation (activities/schema): the house-standard fixtures are valid, and a
 * misspelled field is caught, with its path, on every kind the corpus covers.
 */
import { describe, expect, it } from 'vitest';
import { SCHEMA_KUBERNETES_VERSION, validateSchema } from '../../activities/schema/validate';
import { loadPolicyIndex, loadPolicySamples, loadPositiveFixtures } from '../../datasets/load';

const positives = loadPositiveFixtures();
const objects = [...positives.map((f) => f.manifest), ...loadPolicySamples().map((s) => s.manifest)];
const kinds = [...new Set(loadPolicyIndex().flatMap((m) => m.kinds))].filter((k) => k !== '*').sort();

type Json = Record<string, unknown>;

/** Renames the key `from` of the object at `path` to `to`, in a copy. */
function misspell(manifest: unknown, path: (string | number)[], from: string, to: string): Json {
  const copy = structuredClone(manifest) as Json;
  let node: Json = copy;
  for (const key of path) node = node[key as string] as Json;
  const value = node[from];
  delete node[from];
  node[to] = value;
  return copy;
}

/** A nested object of the manifest to misspell a field in: the first container, else the first rule / port / subject, else metadata. */
function nestedTarget(manifest: Json): { path: (string | number)[]; key: string; shown: string } {
  const templates: Record<string, (string | number)[]> = {
    Pod: ['spec'],
    CronJob: ['spec', 'jobTemplate', 'spec', 'template', 'spec'],
  };
  const specPath = templates[manifest.kind as string] ?? ['spec', 'template', 'spec'];
  let node: unknown = manifest;
  for (const key of specPath) node = (node as Json | undefined)?.[key as string];
  const containers = (node as Json | undefined)?.containers;
  if (Array.isArray(containers)) {
    return { path: [...specPath, 'containers', 0], key: 'image', shown: `${specPath.join('.')}.containers[0].imag` };
  }
  for (const [list, key] of [
    ['rules', 'verbs'],
    ['subjects', 'kind'],
  ] as const) {
    if (Array.isArray(manifest[list])) return { path: [list, 0], key, shown: `${list}[0].${key.slice(0, -1)}` };
  }
  const spec = manifest.spec as Json | undefined;
  if (spec && Array.isArray(spec.ports)) return { path: ['spec', 'ports', 0], key: 'port', shown: 'spec.ports[0].por' };
  if (spec && Array.isArray(spec.rules)) return { path: ['spec', 'rules', 0], key: 'host', shown: 'spec.rules[0].hos' };
  if (spec && spec.podSelector !== undefined) return { path: ['spec'], key: 'podSelector', shown: 'spec.podSelecto' };
  return { path: ['metadata'], key: 'name', shown: 'metadata.nam' };
}

describe(`schema validation (Kubernetes ${SCHEMA_KUBERNETES_VERSION})`, () => {
  it('finds nothing wrong in the house-standard fixtures', () => {
    const problems = positives.flatMap((f) => validateSchema(f.manifest).map((p) => `${f.name}: ${p.path}: ${p.message}`));
    expect(problems).toEqual([]);
  });

  it.each(kinds)('catches misspelled fields on a %s, each with its own path', (kind) => {
    const manifest = objects.find((m) => m.kind === kind && validateSchema(m).length === 0);
    expect(manifest, `no valid sample of kind ${kind}`).toBeDefined();
    const target = nestedTarget(manifest as Json);
    let broken = misspell(manifest, target.path, target.key, target.key.slice(0, -1));
    broken = misspell(broken, ['metadata'], 'name', 'nme');
    broken = { ...broken, metadata: { ...(broken.metadata as Json), name: 'x' } };
    const problems = validateSchema(broken);
    expect(problems.map((p) => p.path)).toEqual(expect.arrayContaining([target.shown, 'metadata.nme']));
    const typo = problems.find((p) => p.path === target.shown);
    expect(typo?.message).toBe(`unknown field "${target.key.slice(0, -1)}" (did you mean "${target.key}"?)`);
  });

  it('reports the typo of the issue at its path, wrong types, enums and unknown kinds', () => {
    const deployment = positives.find((f) => f.manifest.kind === 'Deployment')?.manifest as Json;
    const broken = misspell(deployment, ['spec', 'template', 'spec', 'containers', 0], 'securityContext', 'securityContex');
    (broken.spec as Json).replicas = 'three';
    expect(validateSchema(broken)).toEqual([
      {
        path: 'spec.template.spec.containers[0].securityContex',
        message: 'unknown field "securityContex" (did you mean "securityContext"?)',
      },
      { path: 'spec.replicas', message: 'must be integer' },
    ]);
    expect(validateSchema({ ...deployment, kind: 'Deploymnt' })).toEqual([
      { path: 'kind', message: `kind "Deploymnt" does not exist in apps/v1 (Kubernetes ${SCHEMA_KUBERNETES_VERSION})` },
    ]);
    expect(validateSchema({ ...deployment, apiVersion: 'apps/v9' })[0]?.path).toBe('apiVersion');
    // custom resources are not judged
    expect(
      validateSchema({ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'x' }, spec: { anything: 1 } }),
    ).toEqual([]);
    expect(validateSchema('nope')).toEqual([{ path: '', message: 'not a Kubernetes object (expected a mapping)' }]);
  });

  it('does not judge free-form fields (labels, annotations, ConfigMap data)', () => {
    const configMap = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x', labels: { anyKey: 'v' }, annotations: { 'a.b/c': 'v' } },
      data: { whatever: 'v' },
    };
    expect(validateSchema(configMap)).toEqual([]);
  });
});
