/**
 * Text embeddings behind one interface:
 *
 * - `HashingEmbedder` (the offline default): signed feature hashing of word unigrams, word bigrams
 *   and character 4-grams, with sublinear term frequency and L2 normalisation. It needs no model
 *   download and is deterministic. It captures lexical overlap (including partial words such as
 *   `hostPath` ~ `host path`), not meaning: paraphrases that share no words score low.
 * - `OpenAIEmbeddings`: any OpenAI-compatible `POST {base}/embeddings` endpoint (OpenAI, Ollama,
 *   vLLM, llama.cpp server, a Bedrock gateway).
 *
 * Vectors are unit length, so cosine similarity is their dot product.
 */
import { z } from 'zod';
import { secretRedactor } from '../../lib/redact';
import { embeddingModelDir, embeddingModelInstalled, LocalMiniLmEmbedder } from './local-embeddings';

export interface EmbeddingProvider {
  /** stable identifier; a collection indexed by one provider must be searched by the same one */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<number[][]>;
}

const STOPWORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or that the this to was were will with must should not no any all every when which who what how'.split(
    ' ',
  ),
);

/** Splits camelCase and snake_case, lowercases, drops stopwords, light suffix stemming. */
export function tokenize(text: string): string[] {
  const spaced = text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase();
  const out: string[] = [];
  for (const raw of spaced.split(/[^a-z0-9]+/)) {
    if (raw.length < 2 || STOPWORDS.has(raw)) continue;
    out.push(stem(raw));
  }
  return out;
}

function stem(word: string): string {
  if (word.length > 5 && word.endsWith('ing')) return word.slice(0, -3);
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`;
  if (word.length > 4 && word.endsWith('ed')) return word.slice(0, -2);
  if (word.length > 3 && word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}

/** 32-bit FNV-1a. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class HashingEmbedder implements EmbeddingProvider {
  readonly id: string;
  constructor(readonly dimensions = 512) {
    if (!Number.isInteger(dimensions) || dimensions < 16)
      throw new Error(`HashingEmbedder: dimensions must be a whole number ≥ 16, got ${dimensions}`);
    this.id = `hashing-v1-${dimensions}`;
  }

  embedOne(text: string): number[] {
    const counts = new Map<string, number>();
    const add = (feature: string, weight: number) => counts.set(feature, (counts.get(feature) ?? 0) + weight);
    const tokens = tokenize(text);
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i] as string;
      add(`w:${token}`, 1);
      if (i + 1 < tokens.length) add(`b:${token} ${tokens[i + 1]}`, 0.5);
      const padded = `<${token}>`;
      if (padded.length > 5) for (let j = 0; j + 4 <= padded.length; j++) add(`c:${padded.slice(j, j + 4)}`, 0.25);
    }
    const vector = new Array<number>(this.dimensions).fill(0);
    for (const [feature, count] of counts) {
      const hash = fnv1a(feature);
      const sign = hash & 0x80000000 ? -1 : 1;
      vector[hash % this.dimensions] = (vector[hash % this.dimensions] as number) + sign * (1 + Math.log(count));
    }
    return normalise(vector);
  }

  async embed(texts: string[]): Promise<number[][]> {
    return texts.map((text) => this.embedOne(text));
  }
}

export function normalise(vector: number[]): number[] {
  let norm = 0;
  for (const v of vector) norm += v * v;
  norm = Math.sqrt(norm);
  return norm === 0 ? vector : vector.map((v) => v / norm);
}

export function cosine(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error(`cosine: vectors of different length (${a.length} and ${b.length})`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] as number) * (b[i] as number);
    na += (a[i] as number) ** 2;
    nb += (b[i] as number) ** 2;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

const embeddingsResponseSchema = z.object({
  data: z.array(z.object({ index: z.number().int(), embedding: z.array(z.number()) })).min(1),
});

export class ProviderError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderError';
  }
}

/**
 * POSTs JSON to an OpenAI-compatible endpoint and validates the answer with `schema`; every failure
 * (unreachable, HTTP error, unexpected body) is a ProviderError naming `what` and the URL.
 */
export async function postOpenAI<S extends z.ZodType>(
  what: string,
  url: string,
  payload: unknown,
  schema: S,
  options: { apiKey?: string; timeoutMs: number },
): Promise<z.infer<S>> {
  // an endpoint may echo the key back (in an error body, a proxy's message): it never reaches our errors
  const redact = secretRedactor([options.apiKey]);
  const fail = (message: string, cause?: unknown) => new ProviderError(redact(message), cause === undefined ? undefined : { cause });
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw fail(`${what}: ${url} unreachable: ${(error as Error).message}`, error);
  }
  const body = await response.text();
  if (!response.ok) throw fail(`${what}: ${url} answered ${response.status}: ${redact(body).slice(0, 300)}`);
  try {
    return schema.parse(JSON.parse(body));
  } catch (error) {
    throw fail(`${what}: ${url} returned an unexpected body: ${(error as Error).message.slice(0, 300)}`);
  }
}

export type OpenAIEmbeddingsOptions = { baseUrl: string; model: string; apiKey?: string; timeoutMs?: number; batchSize?: number };

export class OpenAIEmbeddings implements EmbeddingProvider {
  readonly id: string;
  dimensions = 0;
  constructor(private readonly options: OpenAIEmbeddingsOptions) {
    this.id = `openai:${options.model}`;
  }

  async embed(texts: string[]): Promise<number[][]> {
    const out: number[][] = [];
    const batch = this.options.batchSize ?? 64;
    for (let i = 0; i < texts.length; i += batch) {
      const slice = texts.slice(i, i + batch);
      const url = `${this.options.baseUrl}/embeddings`;
      const parsed = await postOpenAI('embeddings', url, { model: this.options.model, input: slice }, embeddingsResponseSchema, {
        ...(this.options.apiKey ? { apiKey: this.options.apiKey } : {}),
        timeoutMs: this.options.timeoutMs ?? 60_000,
      });
      const ordered = [...parsed.data].sort((a, b) => a.index - b.index).map((d) => normalise(d.embedding));
      if (ordered.length !== slice.length) throw new ProviderError(`embeddings: asked for ${slice.length} vectors, got ${ordered.length}`);
      this.dimensions = ordered[0]?.length ?? 0;
      out.push(...ordered);
    }
    return out;
  }
}

let noted = false;

/**
 * The configured provider: the endpoint when PAC_EMBEDDINGS_BASE_URL is set; otherwise the local
 * all-MiniLM-L6-v2 model when it is installed in the cache (`npm run models:install`); otherwise the
 * offline hashing embedder, with a note on stderr (once per process) saying why. `provider`
 * ("hashing" or "local") overrides the choice.
 */
export function embeddingProviderFromConfig(
  config: {
    embeddings: {
      baseUrl?: string | undefined;
      apiKey?: string | undefined;
      model: string;
      /** PAC_EMBEDDINGS_PROVIDER (local-minilm, hashing, openai-compatible); "local" = local-minilm; unset = auto */
      provider?: 'auto' | 'local' | 'local-minilm' | 'hashing' | 'openai-compatible' | undefined;
    };
    cacheDir?: string;
  },
  note: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): EmbeddingProvider {
  const { baseUrl, apiKey, model } = config.embeddings;
  const provider = config.embeddings.provider === 'local-minilm' ? 'local' : (config.embeddings.provider ?? 'auto');
  if (provider === 'openai-compatible' && !baseUrl)
    throw new Error('PAC_EMBEDDINGS_PROVIDER=openai-compatible needs PAC_EMBEDDINGS_BASE_URL (the endpoint, …/v1)');
  if (baseUrl && (provider === 'auto' || provider === 'openai-compatible'))
    return new OpenAIEmbeddings({ baseUrl, model, ...(apiKey ? { apiKey } : {}) });
  if (provider !== 'hashing' && config.cacheDir && embeddingModelInstalled(config.cacheDir))
    return new LocalMiniLmEmbedder(embeddingModelDir(config.cacheDir), { threads: 2 });
  if (provider === 'local')
    throw new Error(`the local embedding model is not installed in ${config.cacheDir ?? '(no cache dir)'}: run npm run models:install`);
  if (!noted && provider === 'auto') {
    noted = true;
    note(
      `embeddings: offline hashing embedder (matches words, not meaning); no local model in ${config.cacheDir ? embeddingModelDir(config.cacheDir) : 'the cache'} — run \`npm run models:install\` or set PAC_EMBEDDINGS_BASE_URL`,
    );
  }
  return new HashingEmbedder();
}
