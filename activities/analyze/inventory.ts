/**
 * The inventory an analysis gives cross-object policies (data.inventory: Secrets and ConfigMaps that
 * env references need, the ServiceAccount a Pod names, the PriorityClass, the NetworkPolicy of a
 * namespace, the Pods a Service selects …). A user's analysis never sees the house-standard fixture
 * inventory that labelling uses: it sees
 *   - `--inventory <file|dir>`: an inventory document or manifests (datasets/inventory.ts), e.g. a
 *     `kubectl get … -o yaml` dump of the cluster;
 *   - by default, the analysed objects themselves (a rendered chart is judged against itself), when
 *     the input can be read twice cheaply: files of at most INPUT_INVENTORY_BYTES in all;
 *   - otherwise (standard input, bigger inputs, `--inventory none`) an empty inventory: the policies
 *     that need one judge nothing, and a note says so.
 * Two objects with the same kind, namespace and name: the first is kept.
 */

import { readFileSync } from 'node:fs';
import type { Inventory } from '../../datasets/schemas';
import { isObject } from '../../lib/json';
import { CLUSTER_SCOPED_KINDS } from '../../lib/k8s-api';
import { type DocumentEntry, flowNestingExceeds } from './documents';
import type { InputSource } from './input';

/**
 * Inputs up to this many bytes (files only; about 2,500 manifests) are read a first time to build
 * the inventory. Bigger inputs would pay twice the parsing and hand every engine thread an inventory
 * as big as the input (memory and time that grow with it), so they get an empty one and a note.
 */
export const INPUT_INVENTORY_BYTES = 4 << 20;

/** Files up to this size are checked for hostile nesting before the inventory reads them. */
const PRECHECK_BYTES = 4 << 20;

export const emptyInventory = (): Inventory => ({ namespace: {}, cluster: {} });

/** Files objects into the inventory layout; objects without kind or name are left out, the first of two equal keys wins. */
export function inventoryFromObjects(manifests: Iterable<unknown>): Inventory {
  const inventory = emptyInventory();
  for (const manifest of manifests) {
    if (!isObject(manifest) || typeof manifest.kind !== 'string' || !isObject(manifest.metadata)) continue;
    const { name, namespace } = manifest.metadata;
    if (typeof name !== 'string' || name === '') continue;
    const kind = manifest.kind;
    let byName: Record<string, unknown>;
    if (CLUSTER_SCOPED_KINDS.has(kind)) {
      inventory.cluster[kind] ??= {};
      byName = inventory.cluster[kind] as Record<string, unknown>;
    } else {
      const ns = typeof namespace === 'string' && namespace !== '' ? namespace : 'default';
      inventory.namespace[ns] ??= {};
      const kinds = inventory.namespace[ns] as Record<string, Record<string, unknown>>;
      kinds[kind] ??= {};
      byName = kinds[kind] as Record<string, unknown>;
    }
    if (!(name in byName)) byName[name] = manifest;
  }
  return inventory;
}

export type InventoryChoice = { inventory: Inventory; note?: string };

/**
 * The default inventory of a command-line analysis: the input's own objects when every source is
 * a file and they total at most `maxBytes`; else empty, with the note to print.
 */
export async function inventoryFromSources(
  sources: readonly InputSource[],
  entriesOf: (input: InputSource) => AsyncIterable<DocumentEntry>,
  maxBytes = INPUT_INVENTORY_BYTES,
): Promise<InventoryChoice> {
  const stdin = sources.some((s) => s.source === '-');
  const bytes = sources.reduce((sum, s) => sum + (s.size ?? 0), 0);
  if (stdin || bytes > maxBytes) {
    const why = stdin ? 'standard input is read once' : `the input is over ${Math.round(maxBytes / (1 << 20))} MiB`;
    return {
      inventory: emptyInventory(),
      note: `note: policies that read other objects (Secrets, ServiceAccounts, NetworkPolicies, PriorityClasses …) judge nothing: ${why}; pass --inventory <file|dir> (e.g. a kubectl get -o yaml dump)`,
    };
  }
  const manifests: unknown[] = [];
  for (const source of sources) {
    // a document nested past the limits is refused by the analysis itself; reading it a second time
    // here could exhaust the parser (a hostile file), and it holds nothing an inventory needs
    if ((source.size ?? 0) <= PRECHECK_BYTES && flowNestingExceeds(readFileSync(source.source, 'latin1'))) continue;
    for await (const entry of entriesOf(source)) if (entry.object) manifests.push(entry.object.manifest);
  }
  return { inventory: inventoryFromObjects(manifests) };
}
