/**
 * The fast document reader of `pac analyze` (activities/analyze/documents.ts) against the project's
 * reference reader (lib/manifest-stream): the same objects, the same lines, the same problems, on
 * every fixture, on generated manifests and on the corners of YAML.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { DocumentSplitter, documentEntries, streamDocumentEntries } from '../../activities/analyze/documents';
import { FIXTURES_DIR, POLICIES_DIR } from '../../datasets/paths';
import { generateManifests } from '../../datasets/synthetic/manifests';
import { manifestEntries } from '../../lib/manifest-stream';

function reference(text: string) {
  return [...manifestEntries(text, 'f')].map((e) =>
    e.object
      ? { line: e.object.line, manifest: e.object.manifest, item: e.object.item }
      : { problemLine: e.problem.line, message: e.problem.message },
  );
}

function fast(text: string) {
  return [...documentEntries(text, 'f')].map((e) =>
    e.object
      ? { line: e.object.line, manifest: e.object.manifest, item: e.object.item }
      : { problemLine: e.problem.line, message: e.problem.message },
  );
}

const CORNERS: Record<string, string> = {
  'markers, comments and blank documents':
    '# head\n---\n# c\n\napiVersion: v1\nkind: Pod\nmetadata: {name: a}\n---\n---\n\n--- # note\nkind: Service\nmetadata:\n  name: b\n',
  'content on the marker line': '--- {kind: Pod, metadata: {name: x}}\n--- \nkind: Pod\n',
  'document end markers': 'kind: Pod\nmetadata: {name: a}\n...\n---\nkind: Pod\nmetadata: {name: b}\n...\n',
  'CRLF line endings': 'kind: Pod\r\nmetadata:\r\n  name: a\r\n---\r\nkind: Pod\r\nmetadata:\r\n  name: b\r\n',
  'a byte order mark': '\uFEFFkind: Pod\nmetadata: {name: a}\n',
  'a List':
    'apiVersion: v1\nkind: List\nitems:\n  - {kind: Pod, metadata: {name: a}}\n  - just a string\n  - {kind: Service, metadata: {name: b}}\n',
  'not objects': '- a\n- b\n---\nfoo: bar\n---\n42\n',
  'a syntax error between good documents': 'kind: Pod\n---\nkind: Pod\nmetadata:\n  labels: [a\n---\nkind: Service\n',
  'duplicate keys': 'kind: Pod\nkind: Service\n',
  'aliases and anchors': 'kind: Pod\nmetadata: &m {name: a}\nspec:\n  other: *m\n',
  'an alias bomb': `a: &a ["x","x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nkind: Pod\n`,
  'unknown tags': 'kind: Pod\nmetadata: !custom {name: a}\n---\nkind: Pod\ndata: !!binary aGVsbG8=\n',
  'a YAML directive': '%YAML 1.1\n---\nkind: Pod\nenabled: yes\n',
  'a directive after an ended document':
    'kind: Pod\nmetadata: {name: a}\n...\n%YAML 1.2\n---\nkind: Pod\nmetadata: {name: b}\n---\nkind: Service\n',
  'scalars of the core schema':
    'kind: ConfigMap\ndata:\n  a: 014\n  b: 0o14\n  c: 0x1F\n  d: 1_000\n  e: 0b101\n  f: 2001-12-14\n  g: 12:30:00\n  h: yes\n  i: .5\n  j: +12\n  k: 1e3\n  l: -.inf\n  m: .NaN\n  n: ~\n  o: Null\n  p: TRUE\n  q: on\n  r: "quoted"\n  s: 9007199254740993\n  t: <<\n',
  'merge keys stay plain keys': 'kind: Pod\nmetadata:\n  <<: {name: a}\n',
  'block scalars with marker-like text': 'kind: ConfigMap\ndata:\n  script: |\n    ---\n    ...\n    echo hi\n',
  'a flow document over several lines': '{"apiVersion": "v1",\n "kind": "Pod",\n "metadata": {"name": "x"}}\n',
  'a tab after the marker': '---\t\nkind: Pod\n',
  'four dashes are not a marker': 'kind: Pod\nnote: >\n  ----x\n',
  'a __proto__ key (input limits)': 'kind: Pod\nmetadata:\n  __proto__: {polluted: true}\n---\nkind: Service\n',
  'nesting deeper than the limit': `kind: Pod\ndeep: ${'['.repeat(80)}${']'.repeat(80)}\n`,
  empty: '',
  'only comments': '# nothing\n# here\n',
};

describe('documentEntries (fast reader) = manifestEntries (reference)', () => {
  for (const [name, text] of Object.entries(CORNERS)) {
    it(name, () => {
      expect(fast(text)).toEqual(reference(text));
    });
  }

  it('every YAML file of the datasets (fixtures, samples, policy files), one at a time and all in one stream', () => {
    const files = [FIXTURES_DIR, POLICIES_DIR].flatMap((dir) =>
      (readdirSync(dir, { recursive: true }) as string[]).filter((f) => /\.ya?ml$/.test(f)).map((f) => join(dir, f)),
    );
    expect(files.length).toBeGreaterThan(60);
    const texts = files.map((f) => readFileSync(f, 'utf8'));
    for (const text of texts) expect(fast(text)).toEqual(reference(text));
    const stream = texts.join('\n---\n');
    expect(fast(stream)).toEqual(reference(stream));
  }, 30_000);

  it('500 generated manifests as one YAML stream', () => {
    const stream = generateManifests(7, 500)
      .map((m) => stringify(m))
      .join('---\n');
    const out = fast(stream);
    expect(out).toHaveLength(500);
    expect(out).toEqual(reference(stream));
  }, 30_000);
});

describe('streamDocumentEntries: blocks of any size give the same entries', () => {
  const stream =
    Object.values(CORNERS).join('\n---\n') +
    generateManifests(3, 50)
      .map((m) => `---\n${stringify(m)}`)
      .join('');
  async function* blocks(text: string, size: number) {
    for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
  }
  for (const size of [1, 7, 64, 4096]) {
    it(`blocks of ${size} characters`, async () => {
      const out = [];
      for await (const e of streamDocumentEntries(blocks(stream, size), 'f'))
        out.push(
          e.object
            ? { line: e.object.line, manifest: e.object.manifest, item: e.object.item }
            : { problemLine: e.problem.line, message: e.problem.message },
        );
      expect(out).toEqual(fast(stream));
    });
  }
});

describe('DocumentSplitter', () => {
  it('cuts at every marker, keeps the first line of each chunk, and sends directives to the reference reader', () => {
    const text =
      '# lead\napiVersion: v1\nkind: A\n---\nkind: B\n--- # c\nkind: C\n...\n%YAML 1.2\n---\nkind: D\n---\r\nkind: E\n----x: 1\n';
    const splitter = new DocumentSplitter();
    const chunks = [...splitter.push(text), ...splitter.end()];
    expect(chunks.map((c) => [c.firstLine, c.directives, c.text.split('\n')[0]])).toEqual([
      [1, false, '# lead'],
      [4, false, '---'],
      [6, false, '--- # c'],
      [9, true, '%YAML 1.2'],
      [12, false, '---\r'],
    ]);
  });

  it('a stream of generated manifests is one chunk per document, each loaded without the reference reader', () => {
    const manifests = generateManifests(5, 200);
    const splitter = new DocumentSplitter();
    const chunks = [...splitter.push(manifests.map((m) => `---\n${stringify(m)}`).join('')), ...splitter.end()];
    expect(chunks).toHaveLength(200);
    expect(chunks.every((c) => !c.directives)).toBe(true);
  });
});
