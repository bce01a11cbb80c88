/**
 * Strict schema validation of Kubernetes objects against the OpenAPI schemas of one Kubernetes
 * release, as shipped (pre-compiled) by the `kubernetes-models` package.
 *
 * The package's validators check types, required fields, enums and formats but, like the API's own
 * OpenAPI documents, let unknown fields through. A typo such as `securityContex` would pass every
 * Rego rule and every type check, so this module also finds unknown fields: it hands the validator
 * a read-tracking view of the object and records which property names the validator looks up at
 * each object (a compiled schema looks up every property it defines). A key of the object that the
 * validator never looked up is not in the schema: an unknown field, reported with its path. Objects
 * whose schema defines no properties at all (free-form maps such as `metadata.labels` are read key
 * by key; truly free-form fields such as `managedFields[].fieldsV1` are not read) are not judged.
 *
 *   validateSchema(deployment)
 *   // [{ path: 'spec.template.spec.containers[0].securityContex', message: 'unknown field "securityContex" (did you mean "securityContext"?)' }]
 *
 * Objects of API groups the schemas do not know (custom resources) are not validated (no problem is
 * reported); a known group with an unknown version or kind is a problem.
 */
import { createRequire } from 'node:module';
import { isObject } from '../../lib/json';

/** The Kubernetes release whose schemas kubernetes-models 4.5.1 ships. */
export const SCHEMA_KUBERNETES_VERSION = '1.33';

export interface SchemaProblem {
  /** where, as a dotted path with [index] for list items, e.g. spec.template.spec.containers[0].securityContex ('' for the object) */
  path: string;
  message: string;
}

interface AjvError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
  message?: string;
}

interface ModelClass {
  apiVersion?: string;
  kind?: string;
  prototype: { validate(this: unknown): void };
}

const require = createRequire(import.meta.url);
const EXPORTS = Object.keys((require('kubernetes-models/package.json') as { exports: Record<string, unknown> }).exports);

/** Group versions the schemas cover ("v1" is the core group), and the groups they belong to. */
const GROUP_VERSIONS: ReadonlySet<string> = new Set(EXPORTS.filter((key) => key.endsWith('/*')).map((key) => key.slice(2, -2)));
const GROUPS: ReadonlySet<string> = new Set([...GROUP_VERSIONS].map((gv) => (gv.includes('/') ? gv.split('/')[0] : '') as string));

const models = new Map<string, ModelClass | undefined>();

/** The model of apiVersion/kind, or undefined when the schemas have no such top-level kind. */
function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  const key = `${apiVersion}/${kind}`;
  if (!models.has(key)) {
    let model: ModelClass | undefined;
    if (/^[A-Z][A-Za-z0-9]*$/.test(kind)) {
      try {
        const loaded = (require(`kubernetes-models/${apiVersion}/${kind}`) as Record<string, ModelClass>)[kind];
        // only top-level kinds: the package also has models of nested types (Container, PodSpec…)
        if (loaded && loaded.kind === kind && loaded.apiVersion === apiVersion) model = loaded;
      } catch (error) {
        if ((error as { code?: string }).code !== 'MODULE_NOT_FOUND') throw error;
      }
    }
    models.set(key, model);
  }
  return models.get(key);
}

/** A node of the object under validation and the property names the validator looked up on it. */
interface Tracked {
  path: string;
  value: Record<string, unknown> | unknown[];
  read: Set<string>;
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function childPath(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (IDENTIFIER.test(key)) return path ? `${path}.${key}` : key;
  return `${path}[${JSON.stringify(key)}]`;
}

/** A deep copy of `value` whose objects and arrays record the property names read from them. */
function tracked(value: unknown, path: string, nodes: Tracked[]): unknown {
  if (value === null || typeof value !== 'object') return value;
  const read = new Set<string>();
  const node: Tracked = { path, value: [], read };
  // recorded before the children: nodes are in document order
  nodes.push(node);
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? value.map((item, i) => tracked(item, childPath(path, i), nodes))
    : Object.fromEntries(Object.entries(value).map(([key, item]) => [key, tracked(item, childPath(path, key), nodes)]));
  node.value = copy;
  return new Proxy(copy, {
    get(target, key, receiver) {
      if (typeof key === 'string') read.add(key);
      return Reflect.get(target, key, receiver);
    },
  });
}

/** ajv's JSON pointer ("/spec/containers/0/image") as a dotted path, using the object to tell list items. */
function pointerToPath(pointer: string, root: unknown): string {
  let path = '';
  let node: unknown = root;
  for (const raw of pointer.split('/').slice(1)) {
    const key = raw.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(node)) {
      path = childPath(path, Number(key));
      node = node[Number(key)];
    } else {
      path = childPath(path, key);
      node = isObject(node) ? node[key] : undefined;
    }
  }
  return path;
}

function errorProblem(error: AjvError, manifest: unknown): SchemaProblem {
  const path = pointerToPath(error.instancePath, manifest);
  if (error.keyword === 'required') {
    return { path: childPath(path, String(error.params.missingProperty)), message: 'required field is missing' };
  }
  if (error.keyword === 'enum' && Array.isArray(error.params.allowedValues)) {
    return { path, message: `must be one of ${error.params.allowedValues.map((v) => JSON.stringify(v)).join(', ')}` };
  }
  return { path, message: error.message ?? error.keyword };
}

/** Edit distance (Levenshtein), for "did you mean". */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    previous = current;
  }
  return previous[b.length] as number;
}

function unknownFieldMessage(key: string, known: Set<string>): string {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const name of known) {
    const d = distance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [name, d];
  }
  const close = best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 4));
  return `unknown field ${JSON.stringify(key)}${close ? ` (did you mean ${JSON.stringify(best)}?)` : ''}`;
}

/**
 * Every schema problem of one Kubernetes object: unknown fields (each with its path), wrong types,
 * missing required fields, values outside an enum, and an apiVersion/kind the schemas do not know.
 * An empty list means the object is valid (or is a custom resource the schemas do not cover).
 */
export function validateSchema(manifest: unknown): SchemaProblem[] {
  if (!isObject(manifest)) return [{ path: '', message: 'not a Kubernetes object (expected a mapping)' }];
  const { apiVersion, kind } = manifest;
  if (typeof apiVersion !== 'string' || apiVersion === '') return [{ path: 'apiVersion', message: 'required field is missing' }];
  if (typeof kind !== 'string' || kind === '') return [{ path: 'kind', message: 'required field is missing' }];
  const group = apiVersion.includes('/') ? (apiVersion.split('/')[0] as string) : '';
  if (!GROUP_VERSIONS.has(apiVersion)) {
    // a group the schemas do not know is a custom resource: nothing to validate against
    if (!GROUPS.has(group)) return [];
    return [
      { path: 'apiVersion', message: `apiVersion ${JSON.stringify(apiVersion)} is not served by Kubernetes ${SCHEMA_KUBERNETES_VERSION}` },
    ];
  }
  const model = modelOf(apiVersion, kind);
  if (!model)
    return [
      { path: 'kind', message: `kind ${JSON.stringify(kind)} does not exist in ${apiVersion} (Kubernetes ${SCHEMA_KUBERNETES_VERSION})` },
    ];

  const nodes: Tracked[] = [];
  const view = tracked(manifest, '', nodes);
  let errors: AjvError[] = [];
  try {
    model.prototype.validate.call(view);
  } catch (error) {
    const found = (error as { errors?: unknown }).errors;
    if (!Array.isArray(found)) throw error;
    errors = found as AjvError[];
  }

  const problems: SchemaProblem[] = [];
  for (const node of nodes) {
    if (Array.isArray(node.value) || node.read.size === 0) continue;
    for (const key of Object.keys(node.value)) {
      if (!node.read.has(key)) problems.push({ path: childPath(node.path, key), message: unknownFieldMessage(key, node.read) });
    }
  }
  // one problem per path: the branches of a failed oneOf/anyOf (int-or-string, quantity) together
  const byPath = new Map<string, string[]>();
  for (const error of errors) {
    const problem = errorProblem(error, manifest);
    const messages = byPath.get(problem.path) ?? [];
    if (!messages.includes(problem.message)) messages.push(problem.message);
    byPath.set(problem.path, messages);
  }
  for (const [path, messages] of byPath) {
    const branches = messages.filter((m) => !/^must match (exactly one|a) schema in "(oneOf|anyOf)"$/.test(m));
    const combined = branches.length < messages.length && branches.length > 1;
    problems.push({ path, message: combined ? `matches none of the allowed forms (${branches.join('; ')})` : branches.join('; ') });
  }
  return problems;
}
