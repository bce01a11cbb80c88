import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cosine, HashingEmbedder, OpenAICompatibleLLM, OpenAIEmbeddings, ProviderError, tokenize } from '../../activities/llm';

describe('tokenize', () => {
  it('splits camelCase and snake_case, drops stopwords, stems plurals', () => {
    expect(tokenize('allowPrivilegeEscalation must be false for all containers')).toEqual([
      'allow',
      'privilege',
      'escalation',
      'false',
      'container',
    ]);
    expect(tokenize('host_path volumes')).toEqual(['host', 'path', 'volume']);
  });
});

describe('HashingEmbedder', () => {
  const embedder = new HashingEmbedder(256);
  it('is deterministic and unit length', async () => {
    const [a, b] = await embedder.embed(['deny privileged containers', 'deny privileged containers']);
    expect(a).toEqual(b);
    expect(Math.hypot(...(a as number[]))).toBeCloseTo(1, 6);
  });
  it('ranks lexically related text above unrelated text', () => {
    const query = embedder.embedOne('containers must not use hostPath volumes');
    const related = embedder.embedOne('deny pods that mount a host path volume');
    const unrelated = embedder.embedOne('ingress must terminate TLS for every host');
    expect(cosine(query, related)).toBeGreaterThan(cosine(query, unrelated) + 0.1);
  });
  it('rejects a nonsensical dimension', () => {
    expect(() => new HashingEmbedder(3)).toThrow(/dimensions/);
  });
});

describe('OpenAI-compatible clients (protocol against a loopback HTTP server)', () => {
  let base = '';
  const seen: { path: string; auth: string | undefined; body: unknown }[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c) => {
      raw += c;
    });
    req.on('end', () => {
      const body = JSON.parse(raw || '{}');
      seen.push({ path: req.url ?? '', auth: req.headers.authorization, body });
      res.setHeader('content-type', 'application/json');
      if (req.url === '/v1/embeddings') {
        const input = body.input as string[];
        // answer out of order: the client must restore the order by index
        const data = input.map((text, index) => ({ index, embedding: [text.length, 1, 0] })).reverse();
        res.end(JSON.stringify({ data }));
      } else if (req.url === '/v1/chat/completions') {
        if (body.model === 'broken') {
          res.statusCode = 500;
          res.end('{"error":"boom"}');
          return;
        }
        res.end(
          JSON.stringify({
            model: body.model,
            choices: [{ message: { content: 'hello' } }],
            usage: { prompt_tokens: 7, completion_tokens: 1 },
          }),
        );
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('embeddings: keeps input order, normalises, sends the key', async () => {
    const client = new OpenAIEmbeddings({ baseUrl: base, model: 'm', apiKey: 'k', batchSize: 2 });
    const vectors = await client.embed(['a', 'bbb', 'cc']);
    expect(vectors).toHaveLength(3);
    expect(vectors[1]?.[0]).toBeCloseTo(3 / Math.hypot(3, 1), 6);
    expect(client.dimensions).toBe(3);
    expect(seen.find((s) => s.path === '/v1/embeddings')?.auth).toBe('Bearer k');
  });
  it('chat: returns text, model and usage; errors name the endpoint and status', async () => {
    const llm = new OpenAICompatibleLLM({ baseUrl: base, model: 'strong', cheapModel: 'cheap' });
    const out = await llm.complete({ messages: [{ role: 'user', content: 'hi' }], model: llm.models.cheap });
    expect(out).toEqual({ text: 'hello', model: 'cheap', usage: { promptTokens: 7, completionTokens: 1 } });
    await expect(llm.complete({ messages: [{ role: 'user', content: 'hi' }], model: 'broken' })).rejects.toThrow(/answered 500/);
    await expect(
      new OpenAICompatibleLLM({ baseUrl: 'http://127.0.0.1:1/v1', model: 'x' }).complete({ messages: [] }),
    ).rejects.toBeInstanceOf(ProviderError);
  });
});
