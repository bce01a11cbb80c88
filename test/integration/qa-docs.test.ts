/**
 * The knowledge base's documents as users handle them, on the real Weaviate: `pac docs add` of
 * Markdown, text and HTML (converted to Markdown, headings kept), `pac docs list`, `pac docs rm`,
 * `pac ask` citing the file and heading, bad files refused with their name and exit code 2 before
 * anything is indexed; and multipart/form-data uploads through the HTTP API (authentication before
 * the body is read, file type, size and count limits).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qaAnswerSchema } from '../../activities/qa/service';
import { WeaviateStore } from '../../activities/retrieval/weaviate';
import { documentListResponseSchema, MAX_UPLOAD_FILES, multipartUploadResponseSchema } from '../../api/routes/documents';
import { buildApp } from '../../api/server';
import { loadConfig } from '../../infra/config';
import { testEnv } from './harness';

const root = join(import.meta.dirname, '..', '..');
const stamp = Date.now().toString(36);
const cliCollection = `KbDocsCli_${stamp}`;
const apiCollection = `KbDocsApi_${stamp}`;
const PROPOSER = `proposer-token-${'p'.repeat(24)}`;
const READER = `reader-token-${'r'.repeat(24)}`;
// the hashing embedder: these tests are about documents, not embeddings (and a CLI run then loads no model)
const env = { ...testEnv(), PAC_QA_SHIPPED_KB: 'false', PAC_QA_COLLECTION: cliCollection, PAC_EMBEDDINGS_PROVIDER: 'hashing' };
let dir: string;

const QUOKKA_HTML = `<!doctype html><html><head><title>Quokka runbook</title><style>p { color: red }</style></head>
<body><nav>Home | Runbooks</nav><h1>Quokka runbook</h1><h2>Ports</h2><p>The quokka admission controller listens on port 9443 for webhook calls.</p>
<h2>Restarts</h2><p>Restart the quokka controller with a rolling restart of its deployment.</p><script>alert("x")</script></body></html>`;
const WOMBAT_MD = '# Wombat gateway\n\n## Ports\n\nThe wombat gateway listens on port 7711 for gRPC traffic.\n';
const NUMBAT_TXT = 'Numbat certificates\n\nThe numbat service rotates its TLS certificates every 30 days.\n';

function pac(args: string[]) {
  const run = spawnSync(process.execPath, [join(root, 'bin', 'pac.js'), ...args], { env, cwd: dir, encoding: 'utf8', timeout: 300_000 });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pac-qa-docs-'));
  mkdirSync(join(dir, 'docs'));
  writeFileSync(join(dir, 'docs', 'quokka.html'), QUOKKA_HTML);
  writeFileSync(join(dir, 'docs', 'wombat.md'), WOMBAT_MD);
  writeFileSync(join(dir, 'docs', 'numbat.txt'), NUMBAT_TXT);
  writeFileSync(join(dir, 'docs', 'ignored.pdf'), '%PDF-1.7');
  mkdirSync(join(dir, 'bad'));
  writeFileSync(join(dir, 'bad', 'good.md'), WOMBAT_MD.replace(/wombat/gi, 'dingo'));
  writeFileSync(join(dir, 'bad', 'binary.md'), Buffer.from([0x23, 0x20, 0x41, 0x00, 0x01, 0x02]));
  writeFileSync(join(dir, 'empty.md'), '  \n\n');
  writeFileSync(join(dir, 'tags.html'), '<html><body><div><br></div></body></html>');
  writeFileSync(join(dir, 'slides.pdf'), '%PDF-1.7');
  writeFileSync(join(dir, 'huge.md'), `# Huge\n\n${'word '.repeat(1_000_000)}`);
  mkdirSync(join(dir, 'nothing'));
  writeFileSync(join(dir, 'nothing', 'image.png'), 'x');
});

afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  const store = await WeaviateStore.connect(loadConfig(env));
  for (const c of [cliCollection, apiCollection]) await store.deleteCollection(c).catch(() => {});
  await store.close();
});

describe('pac docs and pac ask', () => {
  it('adds Markdown, text and HTML, lists them with their headings, answers citing file and heading, removes', () => {
    const add = pac(['docs', 'add', 'docs']);
    expect(add.code, add.stderr).toBe(0);
    expect(add.stdout).toMatch(/added numbat \(docs\/numbat\.txt\): 1 chunk\(s\)/);
    expect(add.stdout).toMatch(/added quokka \(docs\/quokka\.html\): 1 chunk\(s\) — Quokka runbook/);
    expect(add.stdout).toMatch(/added wombat \(docs\/wombat\.md\)/);
    expect(add.stdout).not.toMatch(/ignored/);

    const list = pac(['docs', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    const docs = JSON.parse(list.stdout).documents as { source: string; file: string; title: string; headings: string[] }[];
    expect(docs.map((d) => [d.source, d.file])).toEqual([
      ['numbat', 'numbat.txt'],
      ['quokka', 'quokka.html'],
      ['wombat', 'wombat.md'],
    ]);
    const quokka = docs.find((d) => d.source === 'quokka');
    expect(quokka?.title).toBe('Quokka runbook');
    // the HTML's headings survived the conversion; the script, style and nav did not
    expect(quokka?.headings).toEqual(expect.arrayContaining(['Quokka runbook']));

    const ask = pac(['ask', 'Which port does the quokka admission controller listen on?', '--json']);
    expect(ask.code, ask.stderr).toBe(0);
    const answer = qaAnswerSchema.parse(JSON.parse(ask.stdout));
    expect(answer.answerable).toBe(true);
    expect(answer.answer).toMatch(/9443/);
    expect(answer.answer).not.toMatch(/alert|color: red|Home \| Runbooks/);
    // the citation names the file and the section the cited sentence stands in
    expect(answer.citations[0]).toMatchObject({ source: 'quokka', file: 'quokka.html', heading: 'Ports' });
    const text = pac(['ask', 'How often does the numbat service rotate its certificates?']);
    expect(text.stdout).toMatch(/30 days/);
    expect(text.stdout).toMatch(/\[1\] numbat\.txt/);

    const again = pac(['docs', 'add', 'docs/wombat.md']);
    expect(again.stdout).toMatch(/unchanged wombat/);
    writeFileSync(join(dir, 'docs', 'wombat.md'), WOMBAT_MD.replace('7711', '7722'));
    const changed = pac(['docs', 'add', 'docs/wombat.md']);
    expect(changed.stdout).toMatch(/added wombat .*replaced 1 older chunk/);

    const rm = pac(['docs', 'rm', 'quokka', 'docs/numbat.txt']);
    expect(rm.code, rm.stderr).toBe(0);
    expect(rm.stdout).toMatch(/removed quokka: 1 chunk/);
    const unknown = pac(['docs', 'rm', 'wombat', 'no-such-doc']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /no document with the id "no-such-doc"; nothing removed|no document with the id "no-such-doc" .*nothing removed/,
    );
    const after = JSON.parse(pac(['docs', 'list', '--json']).stdout).documents as { source: string }[];
    expect(after.map((d) => d.source)).toEqual(['wombat']);
  }, 600_000);

  it('refuses bad files with their name and exit code 2, before anything is indexed', () => {
    const cases: [string[], RegExp][] = [
      [['docs', 'add', 'bad'], /bad\/binary\.md:1: a binary file/],
      [['docs', 'add', 'empty.md'], /empty\.md: the document is empty/],
      [['docs', 'add', 'tags.html'], /tags\.html: the document is empty/],
      [['docs', 'add', 'slides.pdf'], /slides\.pdf: unsupported file type "\.pdf"/],
      [['docs', 'add', 'missing.md'], /missing\.md: no such file/],
      [['docs', 'add', 'huge.md'], /huge\.md: .*(limit|large|bytes)/i],
      [['docs', 'add', 'nothing'], /nothing: a directory with no documents/],
      [['docs', 'add'], /needs at least one file/],
      [['docs', 'frobnicate'], /unknown action "frobnicate"/],
      [['ask', 'hi'], /at least 3 characters/],
    ];
    for (const [args, message] of cases) {
      const run = pac(args);
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(message);
    }
    // bad/good.md was not indexed although it came first in its directory
    const list = JSON.parse(pac(['docs', 'list', '--json']).stdout).documents as { source: string }[];
    expect(list.map((d) => d.source)).not.toContain('good');
  }, 600_000);
});

describe('multipart/form-data uploads on the API', () => {
  let base: string;
  let close: () => Promise<void>;
  const form = (files: [string, string | Uint8Array][]) => {
    const body = new FormData();
    for (const [name, content] of files)
      body.append('file', new Blob([typeof content === 'string' ? content : new Uint8Array(content)]), name);
    return body;
  };
  const post = (path: string, body: FormData | undefined, token?: string) =>
    fetch(`${base}${path}`, { method: 'POST', body, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    const config = loadConfig({
      ...env,
      PAC_QA_COLLECTION: apiCollection,
      PAC_API_TOKENS: `alice:${PROPOSER}:propose+read,bob:${READER}:read`,
      PAC_API_BODY_LIMIT_BYTES: String(64 * 1024),
    });
    const built = await buildApp({ config, log: false, processMetrics: false });
    base = await built.app.listen({ host: '127.0.0.1', port: 0 });
    close = built.close;
  });
  afterAll(async () => close?.());

  it('authenticates before reading the body, indexes Markdown and HTML files, and lists them', async () => {
    // a body over the size limit still gets 401/403: the body was never read
    const oversized = form([['big.md', 'x'.repeat(200 * 1024)]]);
    expect((await post('/v1/documents/upload', oversized)).status).toBe(401);
    expect((await post('/v1/documents/upload', form([['big.md', 'x'.repeat(200 * 1024)]]), READER)).status).toBe(403);

    const ok = await post(
      '/v1/documents/upload',
      form([
        ['wombat.md', WOMBAT_MD],
        ['quokka.html', QUOKKA_HTML],
      ]),
      PROPOSER,
    );
    expect(ok.status, await ok.clone().text()).toBe(200);
    const uploaded = multipartUploadResponseSchema.parse(await ok.json());
    expect(uploaded.documents.map((d) => [d.file, d.source, d.title, d.chunks, d.collection])).toEqual([
      ['wombat.md', 'wombat', 'Wombat gateway', 1, apiCollection],
      ['quokka.html', 'quokka', 'Quokka runbook', 1, apiCollection],
    ]);

    const list = await fetch(`${base}/v1/documents`, { headers: { authorization: `Bearer ${READER}` } });
    const listed = documentListResponseSchema.parse(await list.json());
    expect(listed.documents.map((d) => d.file)).toEqual(['quokka.html', 'wombat.md']);

    const query = await fetch(`${base}/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${READER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ question: 'Which port does the wombat gateway listen on?' }),
    });
    const answer = qaAnswerSchema.parse(await query.json());
    expect(answer.answer).toMatch(/7711/);
    expect(answer.citations[0]).toMatchObject({ file: 'wombat.md' });
  }, 300_000);

  it('refuses unsupported, binary, empty, oversized and too many files, naming the file', async () => {
    const cases: [FormData | undefined, number, RegExp][] = [
      [form([['slides.pdf', '%PDF']]), 415, /files\[0\] \(slides\.pdf\): .*unsupported file type "\.pdf"/],
      [
        form([
          ['ok.md', '# ok'],
          ['bin.md', new Uint8Array([0x41, 0x00])],
        ]),
        400,
        /files\[1\] \(bin\.md\):1: a binary file/,
      ],
      [form([['blank.html', '<p> </p>']]), 422, /files\[0\] \(blank\.html\): .*empty/],
      [form([['big.md', 'x'.repeat(65 * 1024)]]), 413, /larger than 65536 bytes/],
      [form(Array.from({ length: MAX_UPLOAD_FILES + 1 }, (_, i) => [`f${i}.md`, '# f'] as [string, string])), 413, /at most 20 files/],
      [form([['bad<name>.md', 'x']]), 400, /files\[0\]: expected a file name/],
      [new FormData(), 400, /no file part|malformed/],
    ];
    for (const [body, status, message] of cases) {
      const response = await post('/v1/documents/upload', body, PROPOSER);
      const text = await response.text();
      expect(response.status, text).toBe(status);
      expect(JSON.parse(text).error.message).toMatch(message);
    }
    const json = await fetch(`${base}/v1/documents/upload`, {
      method: 'POST',
      headers: { authorization: `Bearer ${PROPOSER}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(json.status).toBe(415);
    // nothing of the refused uploads was indexed
    const list = await fetch(`${base}/v1/documents`, { headers: { authorization: `Bearer ${READER}` } });
    expect(documentListResponseSchema.parse(await list.json()).documents.map((d) => d.source)).toEqual(['quokka', 'wombat']);
  }, 300_000);
});
