import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { applyPatch, getAt, PatchError, parsePointer, patchSize, toPointer } from '../../activities/troubleshooting/patch';
import { applyPatchToDocument, styleOf } from '../../activities/troubleshooting/yaml-patch';

describe('JSON pointers', () => {
  it('escape and unescape ~ and /', () => {
    expect(toPointer(['metadata', 'annotations', 'kube-pac.io/owner'])).toBe('/metadata/annotations/kube-pac.io~1owner');
    expect(parsePointer('/a~1b/c~0d/0')).toEqual(['a/b', 'c~d', '0']);
    expect(parsePointer('')).toEqual([]);
    expect(() => parsePointer('a/b')).toThrow(PatchError);
  });
  it('read values, undefined when a step is missing', () => {
    const doc = { a: [{ b: 1 }] };
    expect(getAt(doc, '/a/0/b')).toBe(1);
    expect(getAt(doc, '/a/1/b')).toBeUndefined();
    expect(getAt(doc, '/a/x')).toBeUndefined();
  });
});

describe('applyPatch (RFC 6902)', () => {
  const doc = {
    spec: { containers: [{ name: 'a' }, { name: 'b', securityContext: { privileged: true } }] },
    metadata: { labels: { x: '1' } },
  };

  it('adds, replaces and removes without changing its argument', () => {
    const before = structuredClone(doc);
    const out = applyPatch(doc, [
      { op: 'replace', path: '/spec/containers/1/securityContext/privileged', value: false },
      { op: 'add', path: '/spec/containers/0/securityContext', value: { readOnlyRootFilesystem: true } },
      { op: 'add', path: '/spec/containers/-', value: { name: 'c' } },
      { op: 'add', path: '/spec/containers/0', value: { name: 'first' } },
      { op: 'remove', path: '/metadata/labels/x' },
    ]);
    expect(doc).toEqual(before);
    expect(out.spec.containers.map((c) => c.name)).toEqual(['first', 'a', 'b', 'c']);
    expect(out.spec.containers[1]).toEqual({ name: 'a', securityContext: { readOnlyRootFilesystem: true } });
    expect(out.spec.containers[2]?.securityContext).toEqual({ privileged: false });
    expect(out.metadata.labels).toEqual({});
  });

  it('moves, copies and tests', () => {
    const out = applyPatch({ a: { b: 1 }, c: [] as number[] }, [
      { op: 'test', path: '/a/b', value: 1 },
      { op: 'copy', from: '/a/b', path: '/c/0' },
      { op: 'move', from: '/a', path: '/d' },
    ]);
    expect(out).toEqual({ c: [1], d: { b: 1 } });
  });

  it('fails with the operation index and the pointer', () => {
    expect(() => applyPatch(doc, [{ op: 'remove', path: '/metadata/name' }])).toThrow(
      /operation 0 \(remove \/metadata\/name\).*does not exist/,
    );
    expect(() => applyPatch(doc, [{ op: 'replace', path: '/spec/containers/5', value: 1 }])).toThrow(PatchError);
    expect(() => applyPatch(doc, [{ op: 'add', path: '/nope/x', value: 1 }])).toThrow(/parent/);
    expect(() => applyPatch(doc, [{ op: 'test', path: '/metadata/labels/x', value: '2' }])).toThrow(/test failed/);
    expect(() => applyPatch(doc, [{ op: 'move', from: '/spec', path: '/spec/x' }])).toThrow(/own child/);
  });

  it('sizes patches by operations first', () => {
    expect(patchSize([{ op: 'remove', path: '/a' }])).toBeLessThan(
      patchSize([
        { op: 'remove', path: '/a' },
        { op: 'remove', path: '/b' },
      ]),
    );
  });
});

describe('applyPatchToDocument (YAML Document API)', () => {
  const source = `# the web tier
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web # keep this comment
spec:
  template:
    spec:
      containers:
      - name: app
        image: registry.internal.example/shop/web:1.0.0 # pinned by the release job
        securityContext:
          privileged: true
`;

  it('keeps comments and key order and applies add/replace/remove', () => {
    const [doc] = parseAllDocuments(source) as ReturnType<typeof parseAllDocuments> & unknown[];
    if (!doc || !('contents' in doc)) throw new Error('no document');
    applyPatchToDocument(doc, [
      { op: 'replace', path: '/spec/template/spec/containers/0/securityContext/privileged', value: false },
      { op: 'add', path: '/spec/template/spec/containers/0/securityContext/capabilities', value: { drop: ['ALL'] } },
      { op: 'add', path: '/metadata/labels', value: { team: 'shop' } },
    ]);
    const text = doc.toString(styleOf(source));
    expect(text).toContain('# the web tier');
    expect(text).toContain('name: web # keep this comment');
    expect(text).toContain('# pinned by the release job');
    expect(text).toContain('      - name: app'); // the source's unindented sequence style is kept
    expect(doc.toJS().spec.template.spec.containers[0].securityContext).toEqual({ privileged: false, capabilities: { drop: ['ALL'] } });
    expect(text.indexOf('apiVersion')).toBeLessThan(text.indexOf('kind'));
    expect(doc.toJS().metadata.labels).toEqual({ team: 'shop' });
  });

  it('refuses operations on missing targets', () => {
    const [doc] = parseAllDocuments(source) as unknown as [import('yaml').Document];
    expect(() => applyPatchToDocument(doc, [{ op: 'remove', path: '/metadata/namespace' }])).toThrow(/does not exist/);
    expect(() => applyPatchToDocument(doc, [{ op: 'move', from: '/a', path: '/b' }])).toThrow(/not supported/);
  });
});
