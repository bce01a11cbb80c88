/**
 * Document Q&A out of the box, on the real Weaviate: a fresh collection (nothing uploaded), the
 * real `pac ask` answers the first evaluation question by indexing the shipped knowledge base on
 * first use; then every evaluation question of datasets/kb-eval is asked and the answers that cite
 * the expected source are counted (printed, with the simple baseline "the top BM25 chunk's source"
 * from the same run). Indexing is idempotent by digest: a second first use embeds nothing, two
 * concurrent first uses store every chunk once, a changed document replaces its old chunks, and a
 * collection filled by another embedder is re-embedded.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HashingEmbedder } from '../../activities/llm/embeddings';
import { QaService, qaAnswerSchema, qaServiceFromConfig } from '../../activities/qa/service';
import { KbStore } from '../../activities/qa/store';
import { WeaviateStore } from '../../activities/retrieval/weaviate';
import { loadKbEvalQuestions, loadKnowledgeBase } from '../../datasets/load';
import { loadConfig } from '../../infra/config';
import { testEnv } from './harness';

const root = join(import.meta.dirname, '..', '..');
const stamp = Date.now().toString(36);
const collection = `KbOutOfBox_${stamp}`;
const extra: string[] = [];
const env = { ...testEnv(), PAC_QA_SHIPPED_KB: 'true', PAC_QA_COLLECTION: collection };
const config = loadConfig(env);

afterAll(async () => {
  const store = await WeaviateStore.connect(config);
  for (const c of [collection, ...extra]) await store.deleteCollection(c).catch(() => {});
  await store.close();
});

function pac(args: string[]) {
  const run = spawnSync(process.execPath, [join(root, 'bin', 'pac.js'), ...args], {
    env,
    encoding: 'utf8',
    timeout: 600_000,
    maxBuffer: 64 << 20,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const questions = loadKbEvalQuestions();
const shippedCount = loadKnowledgeBase().length;

const minimalService = (kb: KbStore, shipped: () => { name: string; text: string }[]) =>
  new QaService({
    kb,
    embedder: new HashingEmbedder(),
    shipped,
    prices: {},
    cache: { threshold: 0.8, ttlMs: 60_000 },
    defaultPromptVersion: config.qa.promptVersion,
  });

describe('pac ask on a fresh start (no upload)', () => {
  it('indexes the shipped knowledge base on first use and answers with citations (file and heading)', () => {
    const first = questions.find((q) => q.answerable);
    if (!first?.answerable) throw new Error('no answerable evaluation question');
    const run = pac(['ask', first.question, '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(new RegExp(`indexed the shipped knowledge base: ${shippedCount} document\\(s\\) embedded, 0 unchanged`));
    const answer = qaAnswerSchema.parse(JSON.parse(run.stdout));
    expect(answer.answerable).toBe(true);
    expect(answer.citations.map((c) => c.source)).toContain(first.source);
    expect(answer.citations.find((c) => c.source === first.source)?.file).toBe(`${first.source}.md`);

    // the text form prints the sources as file › heading; the second run embeds nothing
    const text = pac(['ask', 'When should a model be promoted to production?']);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stderr).not.toMatch(/indexed the shipped knowledge base/);
    expect(text.stdout).toMatch(/Sources:\n {2}\[1\] [a-z-]+\.md › /);
    expect(text.stdout).toMatch(/model-registry\.md/);
  }, 600_000);

  it('answers the evaluation questions from the shipped knowledge base', async () => {
    const { qa, close } = await qaServiceFromConfig(config, { llm: null });
    try {
      const report = await qa.ensureKnowledgeBase();
      expect(report).toMatchObject({ indexed: [], unchanged: shippedCount, reembedded: 0 });
      let cited = 0;
      let baseline = 0;
      let refusedUnanswerable = 0;
      const misses: string[] = [];
      const answerable = questions.filter((q) => q.answerable);
      for (const q of questions) {
        const answer = await qa.query(q.question, { noCache: true });
        if (!q.answerable) {
          if (!answer.answerable) refusedUnanswerable++;
          continue;
        }
        if (answer.answerable && answer.citations.some((c) => c.source === q.source)) cited++;
        else misses.push(`${q.id} (${q.source})`);
        const [top] = await qa.kb.search(q.question, { mode: 'bm25', limit: 1 });
        if (top?.source === q.source) baseline++;
      }
      const unanswerable = questions.length - answerable.length;
      process.stderr.write(
        `[qa-out-of-box] ${cited}/${answerable.length} answerable evaluation questions answered citing the expected source ` +
          `(baseline, top BM25 chunk from the expected source: ${baseline}/${answerable.length}); ` +
          `${refusedUnanswerable}/${unanswerable} unanswerable refused; misses: ${misses.join(', ') || 'none'}\n`,
      );
      expect(cited / answerable.length).toBeGreaterThanOrEqual(0.8);
      expect(refusedUnanswerable).toBeGreaterThanOrEqual(Math.ceil(unanswerable / 2));
    } finally {
      await close();
    }
  }, 600_000);
});

describe('indexing by digest', () => {
  it('stores every chunk once under concurrent first uses, embeds nothing twice, and replaces a changed document', async () => {
    const name = `KbDigest_${stamp}`;
    extra.push(name);
    const store = await WeaviateStore.connect(config);
    try {
      const docs = [
        { name: 'alpha.md', text: '# Alpha\n\n## Ports\n\nThe alpha service listens on port 4100 for requests.' },
        { name: 'beta.md', text: '# Beta\n\n## Backups\n\nThe beta database is backed up every night at 02:00.' },
      ];
      let current = docs;
      const service = () => minimalService(new KbStore(store, new HashingEmbedder(), name, { alpha: 0.5 }), () => current);
      const [a, b] = await Promise.all([service().ensureKnowledgeBase(), service().ensureKnowledgeBase()]);
      expect(a.indexed.length + a.unchanged).toBe(2);
      expect(b.indexed.length + b.unchanged).toBe(2);
      expect(await store.count(name)).toBe(2);

      const again = await service().ensureKnowledgeBase();
      expect(again).toMatchObject({ indexed: [], unchanged: 2, reembedded: 0 });

      current = [
        docs[0] as (typeof docs)[number],
        { name: 'beta.md', text: '# Beta\n\n## Backups\n\nThe beta database is backed up every hour.' },
      ];
      const changed = await service().ensureKnowledgeBase();
      expect(changed).toMatchObject({ indexed: ['beta'], unchanged: 1 });
      const listed = await new KbStore(store, new HashingEmbedder(), name, { alpha: 0.5 }).documents();
      expect(listed.map((d) => [d.source, d.chunks, d.staleDigests.length])).toEqual([
        ['alpha', 1, 0],
        ['beta', 1, 0],
      ]);
      const hits = await new KbStore(store, new HashingEmbedder(), name, { alpha: 0.5 }).search('beta backup', { mode: 'bm25' });
      expect(hits.find((h) => h.source === 'beta')?.text).toMatch(/every hour/);

      // another embedder opens the collection: every chunk is re-embedded from its stored text
      const other = new KbStore(store, new HashingEmbedder(64), name, { alpha: 0.5 });
      expect(await other.prepare()).toBe(2);
      expect((await store.describeCollection(name))?.vectorDimensions).toBe(64);
      expect((await other.search('alpha port', { mode: 'vector' }))[0]?.source).toBe('alpha');
    } finally {
      await store.close();
    }
  }, 180_000);
});
