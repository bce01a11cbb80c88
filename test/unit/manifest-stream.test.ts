import { describe, expect, it } from 'vitest';
import { manifestEntries, readManifestsStrict, readManifestText } from '../../lib/manifest-stream';

const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\n`;

describe('multi-document YAML with positions', () => {
  it('gives each object the line its document starts at', () => {
    const text = `${pod('a')}---\n${pod('b')}---\n# only a comment\n---\n${pod('c')}`;
    const { objects, problems, docs } = readManifestText(text, 'f.yaml');
    expect(problems).toEqual([]);
    expect(objects.map((o) => [o.manifest.metadata, o.line])).toEqual([
      [{ name: 'a' }, 1],
      [{ name: 'b' }, 6],
      [{ name: 'c' }, 13],
    ]);
    expect(docs).toHaveLength(4);
    expect(objects.every((o) => o.source === 'f.yaml')).toBe(true);
  });

  it('reports a broken document with its line and keeps the others', () => {
    const text = `${pod('a')}---\nkind: Pod\nmetadata: {name: [unclosed\n---\n${pod('c')}`;
    const { objects, problems } = readManifestText(text, 'f.yaml');
    expect(objects.map((o) => (o.manifest.metadata as { name: string }).name)).toEqual(['a', 'c']);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]?.line).toBeGreaterThanOrEqual(6);
    expect(problems[0]?.line).toBeLessThanOrEqual(8);
  });

  it('expands a List into its items, and names a bad item', () => {
    const text = 'apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- 42\n';
    const { objects, problems } = readManifestText(text, '-');
    expect(objects).toHaveLength(1);
    expect(objects[0]?.item).toBe(0);
    expect(problems).toEqual([{ source: '-', line: 1, message: expect.stringMatching(/^items\[1\]: not a Kubernetes object/) }]);
    expect(readManifestText(text, '-', { expandLists: false }).objects[0]?.manifest.kind).toBe('List');
  });

  it('refuses values that are not objects, and alias bombs', () => {
    expect(readManifestText('- a\n- b\n', 'x').problems[0]?.message).toMatch(/not a Kubernetes object/);
    expect(readManifestText('just text\n', 'x').problems).toHaveLength(1);
    const bomb = [
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      ...'bcdefghi'.split('').map((c, i) => `${c}: &${c} [${Array(10).fill(`*${'abcdefghi'[i]}`).join(', ')}]`),
      'kind: Pod',
    ].join('\n');
    const { problems } = readManifestText(bomb, 'bomb.yaml');
    expect(problems[0]?.message).toMatch(/alias/i);
  });

  it('reads JSON too, and yields lazily', () => {
    const json = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' } });
    expect(readManifestText(json, 'c.json').objects[0]?.manifest.kind).toBe('ConfigMap');
    const entries = manifestEntries(`${pod('a')}---\n${pod('b')}`, 's');
    expect(entries.next().value?.object?.manifest.metadata).toEqual({ name: 'a' });
  });

  it('strict reading stops at the first problem with source:line, and wants an object', () => {
    expect(() => readManifestsStrict(`${pod('a')}---\n- x\n`, 'f.yaml')).toThrow(/^f\.yaml:6: not a Kubernetes object/);
    expect(() => readManifestsStrict('# nothing\n', 'f.yaml')).toThrow(/f\.yaml: no Kubernetes object/);
  });
});
