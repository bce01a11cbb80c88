import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { listSources, sourceEntries } from '../../activities/analyze/input';
import { inventoryFromObjects, inventoryFromSources } from '../../activities/analyze/inventory';

const secret = (name: string, namespace?: string, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name, ...(namespace ? { namespace } : {}) },
  data,
});

describe('the inventory of an analysis', () => {
  it('files namespaced objects by namespace (default when unset) and cluster-scoped ones by kind; the first of two equal keys wins', () => {
    const inventory = inventoryFromObjects([
      secret('db', 'shop', { password: 'eA==' }),
      secret('db', 'shop', { other: 'eA==' }),
      secret('token'),
      { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'tenant-high' }, value: 1000 },
      { kind: 'ConfigMap', metadata: {} },
      'not an object',
      null,
    ]);
    expect(Object.keys(inventory.namespace).sort()).toEqual(['default', 'shop']);
    expect(inventory.namespace.shop?.Secret?.db?.data).toEqual({ password: 'eA==' });
    expect(inventory.namespace.default?.Secret?.token).toBeDefined();
    expect(Object.keys(inventory.cluster)).toEqual(['PriorityClass']);
  });

  it('reads small file inputs a first time to build it; standard input and big inputs get an empty one with a note', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pac-inv-'));
    writeFileSync(
      join(dir, 'a.yaml'),
      'apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: shop}\n---\napiVersion: v1\nkind: ServiceAccount\nmetadata: {name: web, namespace: shop}\n',
    );
    const sources = listSources([dir]);
    const own = await inventoryFromSources(sources, (s) => sourceEntries(s));
    expect(own.note).toBeUndefined();
    expect(Object.keys(own.inventory.namespace.shop ?? {}).sort()).toEqual(['Secret', 'ServiceAccount']);

    const tooBig = await inventoryFromSources(sources, (s) => sourceEntries(s), 10);
    expect(tooBig.inventory).toEqual({ namespace: {}, cluster: {} });
    expect(tooBig.note).toMatch(/over .*MiB.*--inventory/);

    const stdin = await inventoryFromSources([{ source: '-', fromDirectory: false }], () => {
      throw new Error('standard input must not be read for the inventory');
    });
    expect(stdin.note).toMatch(/standard input is read once/);
  });
});
