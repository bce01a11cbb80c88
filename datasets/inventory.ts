/**
 * The inventory: the other objects of a cluster that cross-object policies read as data.inventory,
 * in one format everywhere — static analysis (`--inventory <file or directory>`), admission (the
 * synced objects) and the Gatekeeper export (data.inventory):
 *
 *   inventory.namespace.<namespace>.<Kind>.<name> = object    (namespaced objects)
 *   inventory.cluster.<Kind>.<name>               = object    (cluster-scoped objects)
 *
 * `inventorySchema` (datasets/schemas.ts) validates it; `buildInventory` files manifests into it
 * (a namespaced object without metadata.namespace goes to "default", as kubectl would put it);
 * `loadInventory` reads an inventory document (`{"inventory": …}`, JSON or YAML), or manifests
 * (one or many YAML/JSON documents, `kind: List` expanded) from a file or a directory tree.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isObject } from '../lib/json';
import { CLUSTER_SCOPED_KINDS } from '../lib/k8s-api';
import { readManifestText } from '../lib/manifest-stream';
import { DatasetError, parseRecord, parseYamlRecord } from './load';
import { type Inventory, inventoryDocumentSchema, inventorySchema, type Manifest, manifestSchema } from './schemas';

export interface SourcedManifest {
  manifest: unknown;
  /** where it came from, for errors ("dir/app.yaml:12") */
  source?: string;
}

/** Files manifests into the inventory layout; two objects with the same kind, namespace and name are an error. */
export function buildInventory(objects: readonly SourcedManifest[]): Inventory {
  const inventory: Inventory = { namespace: {}, cluster: {} };
  const sources = new Map<string, string>();
  const problems: string[] = [];
  for (const { manifest, source = '<input>' } of objects) {
    const parsed = manifestSchema.safeParse(manifest);
    if (!parsed.success) {
      problems.push(`${source}: not a Kubernetes object (${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message})`);
      continue;
    }
    const object: Manifest = parsed.data;
    const { kind } = object;
    const name = object.metadata.name;
    const own = (object.metadata as { namespace?: unknown }).namespace;
    const clusterScoped = CLUSTER_SCOPED_KINDS.has(kind);
    const namespace = clusterScoped ? undefined : typeof own === 'string' && own !== '' ? own : 'default';
    const key = `${namespace ?? ''}/${kind}/${name}`;
    const earlier = sources.get(key);
    if (earlier !== undefined) {
      problems.push(`${source}: ${kind} ${namespace ? `${namespace}/` : ''}${name} is already in the inventory (from ${earlier})`);
      continue;
    }
    sources.set(key, source);
    if (namespace === undefined) {
      inventory.cluster[kind] ??= {};
      (inventory.cluster[kind] as Record<string, Manifest>)[name] = object;
    } else {
      inventory.namespace[namespace] ??= {};
      const kinds = inventory.namespace[namespace] as Record<string, Record<string, Manifest>>;
      kinds[kind] ??= {};
      (kinds[kind] as Record<string, Manifest>)[name] = object;
    }
  }
  if (problems.length) throw new DatasetError('inventory', problems);
  return parseRecord(inventorySchema, inventory, 'inventory');
}

/** Whether a parsed document is an inventory document rather than a Kubernetes object. */
function isInventoryDocument(value: unknown): boolean {
  return isObject(value) && value.kind === undefined && ('inventory' in value || 'namespace' in value || 'cluster' in value);
}

/** The inventory in an inventory document's text (`{inventory: …}` or the bare layout), or undefined when the text holds manifests. */
function inventoryDocument(text: string, file: string): Inventory | undefined {
  // a JSON file (a kubectl -o json dump, an inventory document) is read without the YAML parser
  if (file.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = undefined; // not plain JSON: the YAML reader below reports where
    }
    if (value !== undefined) {
      if (!isInventoryDocument(value)) return undefined;
      return isObject(value) && 'inventory' in value
        ? parseRecord(inventoryDocumentSchema, value, file).inventory
        : parseRecord(inventorySchema, value, file);
    }
  }
  const first = readManifestText(text, file, { expandLists: false }).docs[0];
  const value: unknown = first && first.errors.length === 0 ? first.toJS() : undefined;
  if (!isInventoryDocument(value)) return undefined;
  return isObject(value) && 'inventory' in value
    ? parseYamlRecord(inventoryDocumentSchema, text, file).inventory
    : parseYamlRecord(inventorySchema, text, file);
}

/** The objects of one file: an inventory document's objects, or its manifests. */
function fileObjects(file: string): SourcedManifest[] {
  const text = readFileSync(file, 'utf8');
  const document = inventoryDocument(text, file);
  if (document) return inventoryObjects(document).map((manifest) => ({ manifest, source: file }));
  const { objects, problems } = readManifestText(text, file);
  if (problems.length)
    throw new DatasetError(
      file,
      problems.map((p) => `${p.source}:${p.line}: ${p.message}`),
    );
  return objects.map((o) => ({ manifest: o.manifest, source: `${file}:${o.line}` }));
}

const MANIFEST_EXTENSIONS = ['.yaml', '.yml', '.json'];

function filesUnder(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => !name.startsWith('.'))
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return filesUnder(path);
      return MANIFEST_EXTENSIONS.some((ext) => name.endsWith(ext)) ? [path] : [];
    });
}

/**
 * Reads an inventory from a file (an inventory document, kept as it is, or manifests) or a
 * directory (every .yaml, .yml and .json file below it, in name order, merged).
 */
export function loadInventory(path: string): Inventory {
  let isDir: boolean;
  try {
    isDir = statSync(path).isDirectory();
  } catch (error) {
    throw new DatasetError(path, [`cannot read the inventory: ${(error as Error).message}`]);
  }
  if (!isDir) {
    const document = inventoryDocument(readFileSync(path, 'utf8'), path);
    if (document) return document;
  }
  return buildInventory((isDir ? filesUnder(path) : [path]).flatMap(fileObjects));
}

/** Every object of an inventory (namespaced first, in key order). */
export function inventoryObjects(inventory: Inventory): Manifest[] {
  return [
    ...Object.values(inventory.namespace).flatMap((kinds) => Object.values(kinds).flatMap((objects) => Object.values(objects))),
    ...Object.values(inventory.cluster).flatMap((objects) => Object.values(objects)),
  ];
}

/** The data document OPA reads the inventory from: `{"inventory": …}`. */
export function inventoryDataDocument(inventory: Inventory): { inventory: Inventory } {
  return { inventory };
}
