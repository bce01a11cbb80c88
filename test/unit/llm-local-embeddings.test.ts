/**
 * The local embedding model's pieces: the WordPiece tokenizer, and the choice of embedder (endpoint,
 * local model when installed, hashing otherwise with a note). The model itself is exercised when it is
 * installed in the cache (npm run models:install); the tokenizer and the choice need no model.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cosine, embeddingProviderFromConfig, HashingEmbedder } from '../../activities/llm/embeddings';
import { embeddingModelDir, embeddingModelInstalled, LocalMiniLmEmbedder, WordPieceTokenizer } from '../../activities/llm/local-embeddings';
import { loadConfig } from '../../infra/config';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', ',', 'world', '##wide', '!', 'pod', '##s'].join('\n');

describe('WordPiece tokenizer', () => {
  const t = new WordPieceTokenizer(VOCAB);
  it('lowercases, strips accents, splits punctuation and takes the longest pieces', () => {
    expect(t.encode('Héllo, Worldwide! Pods', 64)).toEqual([2, 4, 5, 6, 7, 8, 9, 10, 3]);
  });
  it('maps a word it cannot spell to [UNK]', () => {
    expect(t.encode('hello zebra', 64)).toEqual([2, 4, 1, 3]);
  });
  it('cuts a long text into windows, each framed by [CLS] and [SEP]', () => {
    const windows = t.windows('hello world pod hello world', 5);
    expect(windows).toEqual([
      [2, 4, 6, 9, 3],
      [2, 4, 6, 3],
    ]);
  });
  it('refuses a vocabulary without the special tokens', () => {
    expect(() => new WordPieceTokenizer('hello\nworld')).toThrow(/\[CLS\]/);
  });
});

describe('choosing the embedder', () => {
  const embeddings = { model: 'm' };
  it('falls back on hashing with a note when no local model is installed', () => {
    const notes: string[] = [];
    const cacheDir = mkdtempSync(join(tmpdir(), 'pac-emb-'));
    const provider = embeddingProviderFromConfig({ embeddings, cacheDir }, (line) => notes.push(line));
    expect(provider).toBeInstanceOf(HashingEmbedder);
    expect(notes.join('\n')).toMatch(/models:install/);
    expect(() => embeddingProviderFromConfig({ embeddings: { ...embeddings, provider: 'local' }, cacheDir })).toThrow(/not installed/);
  });
  it('takes the local model when its files are in the cache, unless hashing is asked for', () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'pac-emb-'));
    mkdirSync(embeddingModelDir(cacheDir), { recursive: true });
    for (const f of ['model.onnx', 'vocab.txt']) writeFileSync(join(embeddingModelDir(cacheDir), f), 'x');
    expect(embeddingModelInstalled(cacheDir)).toBe(true);
    expect(embeddingProviderFromConfig({ embeddings, cacheDir }).id).toBe('all-minilm-l6-v2-int8');
    expect(embeddingProviderFromConfig({ embeddings: { ...embeddings, provider: 'hashing' }, cacheDir })).toBeInstanceOf(HashingEmbedder);
  });
});

const cacheDir = loadConfig().cacheDir;
describe.runIf(embeddingModelInstalled(cacheDir))('the installed all-MiniLM-L6-v2 model', () => {
  it('puts a paraphrase nearer than an unrelated sentence, with unit vectors of 384 dimensions', async () => {
    const model = new LocalMiniLmEmbedder(embeddingModelDir(cacheDir));
    const [a, b, c] = await model.embed([
      'When should a model version be promoted to production?',
      'Criteria for moving a registered model to the production stage',
      'Containers must not mount the host filesystem',
    ]);
    expect(a).toHaveLength(384);
    expect(Math.hypot(...(a as number[]))).toBeCloseTo(1, 5);
    expect(cosine(a as number[], b as number[])).toBeGreaterThan(cosine(a as number[], c as number[]) + 0.3);
  }, 60_000);
});
