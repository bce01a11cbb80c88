/**
 * Document formats of the knowledge base (HTML → Markdown with turndown, extensions, empty
 * documents), the first-use indexing decisions of the Q&A service over an in-memory index, and the
 * PAC_EMBEDDINGS_PROVIDER / PAC_QA_SHIPPED_KB configuration.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddingProviderFromConfig, HashingEmbedder, OpenAIEmbeddings } from '../../activities/llm/embeddings';
import { DocumentFormatError, documentFormatOf, formatOfContentType, htmlToMarkdown, indexableText } from '../../activities/qa/formats';
import { headingOfSentence } from '../../activities/qa/graph';
import { TopicBoundary } from '../../activities/qa/guardrails';
import { QaService } from '../../activities/qa/service';
import { chunkKey, type IngestResult, KbStore, type StoredDocument, sourceIdOf } from '../../activities/qa/store';
import type { WeaviateStore } from '../../activities/retrieval/weaviate';
import { ConfigError, loadConfig } from '../../infra/config';

describe('citation headings', () => {
  it('names the section a cited sentence stands in, else the chunk heading', () => {
    const chunk = { text: '# Runbook\n\n## Ports\n\nIt listens on 9443.\n\n## Restarts ##\n\nRoll it.', heading: 'Runbook' };
    expect(headingOfSentence(chunk, 'It listens on 9443.')).toBe('Ports');
    expect(headingOfSentence(chunk, 'Roll it.')).toBe('Restarts');
    expect(headingOfSentence(chunk, '## Ports')).toBe('Ports');
    expect(headingOfSentence({ text: 'plain text only.', heading: 'Start' }, 'plain text only.')).toBe('Start');
    expect(headingOfSentence(chunk, 'not in the chunk')).toBe('Runbook');
  });
});

describe('document formats', () => {
  it('tells the format by extension and refuses others, naming the file', () => {
    expect(documentFormatOf('a/b/Notes.MD')).toBe('markdown');
    expect(documentFormatOf('x.markdown')).toBe('markdown');
    expect(documentFormatOf('x.txt')).toBe('text');
    expect(documentFormatOf('page.htm')).toBe('html');
    expect(() => documentFormatOf('slides.pdf')).toThrow(/slides\.pdf: unsupported file type "\.pdf"/);
    expect(() => documentFormatOf('README')).toThrow(/README: unsupported file type "\(no extension\)"/);
    expect(formatOfContentType('text/html; charset=utf-8')).toBe('html');
    expect(formatOfContentType('application/pdf')).toBeUndefined();
  });

  it('converts HTML to Markdown with ATX headings, dropping scripts, styles and navigation', () => {
    const md = htmlToMarkdown(
      '<html><head><title>Runbook</title><style>p{color:red}</style></head><body><nav>Home</nav><h2>Ports</h2><p>Listens on <b>9443</b>.</p><h3>TLS</h3><ul><li>rotate</li></ul><script>alert(1)</script></body></html>',
    );
    expect(md).toBe('# Runbook\n\n## Ports\n\nListens on **9443**.\n\n### TLS\n\n-   rotate');
    // a page with its own h1 keeps it; the <title> is not added twice
    expect(htmlToMarkdown('<title>T</title><h1>Real title</h1><p>x</p>')).toBe('# Real title\n\nx');
  });

  it('refuses a document with no words after conversion', () => {
    expect(() => indexableText('blank.html', '<div><br><script>var a = 1</script></div>')).toThrow(DocumentFormatError);
    expect(() => indexableText('blank.md', ' \n\n ')).toThrow(/blank\.md: the document is empty/);
    expect(indexableText('n.txt', 'plain text')).toBe('plain text');
  });

  it('derives the document id from the file name, HTML included', () => {
    expect(sourceIdOf('docs/Quokka Runbook.html')).toBe('quokka-runbook');
    expect(sourceIdOf('notes.htm')).toBe('notes');
    expect(chunkKey('a', 'd1', 0)).not.toBe(chunkKey('a', 'd2', 0));
  });
});

/** An in-memory index behind the KbStore methods the service uses at first use. */
class MemoryKb extends KbStore {
  docs = new Map<string, StoredDocument>();
  ingested: string[] = [];
  prepared = 0;

  constructor() {
    super({} as WeaviateStore, new HashingEmbedder(), 'KbMemory', { alpha: 0.5 });
  }
  override async prepare() {
    this.prepared++;
    return 0;
  }
  override async documents() {
    return [...this.docs.values()];
  }
  override async remove(source: string) {
    const had = this.docs.get(source)?.chunks ?? 0;
    this.docs.delete(source);
    return had;
  }
  override async ingest(input: { name: string; text: string }): Promise<IngestResult & { headings: string[] }> {
    const plan = this.plan(input);
    this.ingested.push(plan.source);
    const removed = this.docs.get(plan.source)?.digest !== plan.digest ? (this.docs.get(plan.source)?.chunks ?? 0) : 0;
    this.docs.set(plan.source, {
      source: plan.source,
      file: plan.file,
      title: plan.title,
      digest: plan.digest,
      chunks: plan.chunks.length,
      headings: plan.headings,
      staleDigests: [],
    });
    return {
      source: plan.source,
      title: plan.title,
      digest: plan.digest,
      chunks: plan.chunks.length,
      removed,
      words: 10,
      headings: plan.headings,
    };
  }
}

describe('first-use indexing of the shipped knowledge base', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pac-qa-unit-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const shipped = [
    { name: 'alpha.md', text: '# Alpha\n\n## Ports\n\nAlpha listens on port 4100.' },
    { name: 'beta.md', text: '# Beta\n\n## Backups\n\nBeta is backed up nightly.' },
  ];
  const service = (kb: MemoryKb, docs = shipped) =>
    new QaService({
      kb,
      embedder: new HashingEmbedder(),
      shipped: () => docs,
      removedShippedFile: join(dir, 'removed.json'),
      prices: {},
      cache: { threshold: 0.8, ttlMs: 60_000 },
      defaultPromptVersion: 'v2',
    });

  it('indexes new and changed documents only, once per service even under concurrent calls', async () => {
    const kb = new MemoryKb();
    const qa = service(kb);
    const [a, b] = await Promise.all([qa.ensureKnowledgeBase(), qa.ensureKnowledgeBase()]);
    expect(a).toBe(b);
    expect(a).toMatchObject({ indexed: ['alpha', 'beta'], unchanged: 0 });
    expect(kb.prepared).toBe(1);

    const second = await service(kb).ensureKnowledgeBase();
    expect(second).toMatchObject({ indexed: [], unchanged: 2 });
    const changed = await service(kb, [
      shipped[0] as (typeof shipped)[number],
      { name: 'beta.md', text: '# Beta\n\nBeta is backed up hourly.' },
    ]).ensureKnowledgeBase();
    expect(changed).toMatchObject({ indexed: ['beta'], unchanged: 1 });
    expect(kb.ingested).toEqual(['alpha', 'beta', 'beta']);
    // the topic boundary learned the documents' headings
    expect(new TopicBoundary().check('When are the backups taken?').allowed).toBe(false);
    expect(qa.topic.check('When are the backups taken?').allowed).toBe(true);
  });

  it('keeps a removed shipped document out until it is added again', async () => {
    const kb = new MemoryKb();
    await service(kb).ensureKnowledgeBase();
    expect(await service(kb).remove('alpha')).toEqual({ chunks: 1, shipped: true });
    expect((await service(kb).ensureKnowledgeBase()).indexed).toEqual([]);
    expect([...kb.docs.keys()]).toEqual(['beta']);
    await service(kb).ingest(shipped[0] as (typeof shipped)[number]);
    kb.docs.delete('alpha');
    expect((await service(kb).ensureKnowledgeBase()).indexed).toEqual(['alpha']);
  });
});

describe('PAC_EMBEDDINGS_PROVIDER and PAC_QA_SHIPPED_KB', () => {
  const base = { PAC_CACHE_DIR: '/nonexistent-cache', PAC_STATE_DIR: '/tmp/pac-state' };

  it('parses the provider, refuses unknown names and openai-compatible without an endpoint', () => {
    expect(loadConfig({ ...base }).embeddings.provider).toBeUndefined();
    expect(loadConfig({ ...base, PAC_EMBEDDINGS_PROVIDER: 'hashing' }).embeddings.provider).toBe('hashing');
    expect(() => loadConfig({ ...base, PAC_EMBEDDINGS_PROVIDER: 'bert' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...base, PAC_EMBEDDINGS_PROVIDER: 'openai-compatible' })).toThrow(/PAC_EMBEDDINGS_BASE_URL/);
    expect(loadConfig({ ...base }).qa.shippedKb).toBe(true);
    expect(loadConfig({ ...base, PAC_QA_SHIPPED_KB: 'false' }).qa.shippedKb).toBe(false);
  });

  it('chooses the embedder: hashing with a note when no model is installed, the endpoint when asked', () => {
    const notes: string[] = [];
    const config = loadConfig({ ...base });
    expect(embeddingProviderFromConfig(config, (n) => notes.push(n))).toBeInstanceOf(HashingEmbedder);
    expect(() => embeddingProviderFromConfig(loadConfig({ ...base, PAC_EMBEDDINGS_PROVIDER: 'local-minilm' }))).toThrow(/models:install/);
    const endpoint = loadConfig({
      ...base,
      PAC_EMBEDDINGS_PROVIDER: 'openai-compatible',
      PAC_EMBEDDINGS_BASE_URL: 'http://127.0.0.1:9/v1',
    });
    expect(embeddingProviderFromConfig(endpoint)).toBeInstanceOf(OpenAIEmbeddings);
    const hashing = loadConfig({ ...base, PAC_EMBEDDINGS_PROVIDER: 'hashing', PAC_EMBEDDINGS_BASE_URL: 'http://127.0.0.1:9/v1' });
    expect(embeddingProviderFromConfig(hashing)).toBeInstanceOf(HashingEmbedder);
  });
});
