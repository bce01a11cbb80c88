import { describe, expect, it } from 'vitest';
import {
  isProtected,
  minimiseWith,
  NotDeniedError,
  removablePaths,
  removePaths,
  treeSize,
} from '../../activities/troubleshooting/minimise';

const manifest = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', namespace: 'shop', labels: { a: '1', b: '2' } },
  spec: {
    replicas: 2,
    template: {
      spec: {
        containers: [
          { name: 'app', image: 'x:1', securityContext: { privileged: false, readOnlyRootFilesystem: true } },
          {
            name: 'side',
            image: 'y:1',
            securityContext: { privileged: true, readOnlyRootFilesystem: true },
            ports: [{ containerPort: 80 }],
          },
        ],
      },
    },
  },
};

/** A pure predicate standing for "the policy denies": some container is privileged. */
const privileged = (m: unknown) => JSON.stringify(m).includes('"privileged":true');

describe('tree helpers', () => {
  it('protect the identity of the resource and of its containers', () => {
    expect(isProtected(['kind'])).toBe(true);
    expect(isProtected(['metadata', 'name'])).toBe(true);
    expect(isProtected(['metadata', 'namespace'])).toBe(false);
    expect(isProtected(['spec', 'template', 'spec', 'containers', 1, 'image'])).toBe(true);
    expect(isProtected(['spec', 'template', 'spec', 'containers', 1, 'ports'])).toBe(false);
  });

  it('remove several array items without shifting the wrong ones', () => {
    const doc = { a: [0, 1, 2, 3], b: { c: 1, d: 2 } };
    expect(
      removePaths(doc, [
        ['a', 0],
        ['a', 2],
        ['b', 'c'],
      ]),
    ).toEqual({ a: [1, 3], b: { d: 2 } });
    expect(removePaths(doc, [['a'], ['a', 1]])).toEqual({ b: { c: 1, d: 2 } });
    expect(doc.a).toEqual([0, 1, 2, 3]);
  });

  it('count nodes and list removable paths parents first', () => {
    expect(treeSize({ a: [1, 2], b: 'x' })).toBe(5);
    const paths = removablePaths({ kind: 'X', spec: { a: 1 } });
    expect(paths).toEqual([['spec'], ['spec', 'a']]);
  });
});

describe('minimiseWith', () => {
  it('finds a 1-minimal manifest that is still denied, in batches', async () => {
    let batches = 0;
    const oracle = async (candidates: readonly unknown[]) => {
      batches++;
      return candidates.map(privileged);
    };
    const result = await minimiseWith(manifest, oracle);
    expect(privileged(result.minimal)).toBe(true);
    expect(result.minimal).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'side', image: 'y:1', securityContext: { privileged: true } }] } } },
    });
    for (const path of removablePaths(result.minimal)) expect(privileged(removePaths(result.minimal, [path]))).toBe(false);
    expect(result.after.nodes).toBeLessThan(result.before.nodes);
    expect(result.ratio).toBeCloseTo(result.after.nodes / result.before.nodes);
    expect(result.batches).toBe(batches);
    expect(result.evaluations).toBeGreaterThan(result.batches);
  });

  it('refuses a manifest the oracle does not deny', async () => {
    await expect(minimiseWith({ kind: 'Pod', metadata: { name: 'x' } }, async (c) => c.map(() => false))).rejects.toThrow(NotDeniedError);
  });
});
