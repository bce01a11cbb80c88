/**
 * PII planted in an uploaded document (phone, email, a card number that passes Luhn, a US SSN, an
 * IBAN — in the text and in a heading) never leaves through any output channel of the Q&A path, on
 * the real engines: the answer, the citation excerpts and headings, the whole /v1/query JSON (a
 * cached answer too), the server's log lines, and the rag-eval report uploaded to MLflow. Both
 * generators: the offline extractive one, and an LLM (a scripted OpenAI-compatible endpoint) that
 * copies the PII from its context into its answer — with the PII placed where a 300-character
 * excerpt would cut it in half.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maskedJsonArtifact } from '../../activities/qa/pii';
import { WeaviateStore } from '../../activities/retrieval/weaviate';
import { buildApp } from '../../api/server';
import { loadConfig } from '../../infra/config';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { testEnv, uniqueName } from './harness';

const PII = {
  phone: '+1 415-555-0199',
  email: 'grace.hopper@example.org',
  card: '4111 1111 1111 1111',
  ssn: '123-45-6789',
  iban: 'DE89 3704 0044 0532 0130 00',
};
/** each value, and its digits (or local part) alone: a partly masked value still leaks */
const TRACES = [
  ...Object.values(PII),
  '4111111111111111',
  '4155550199',
  '123456789',
  'DE89370400440532013000',
  'grace.hopper',
  '0532 0130',
];
const leaks = (text: string) => TRACES.filter((t) => text.includes(t));

const filler = 'The kookaburra billing controller batches invoices every night and keeps their history for ninety days.';
const DOC = `# Kookaburra billing controller

## Contact ${PII.email}

${filler} On-call for the kookaburra billing controller is ${PII.phone}, or by email at ${PII.email}.

## Payments

The kookaburra billing controller charges the test card ${PII.card} and pays refunds to the account ${PII.iban}.

## Identity

The kookaburra billing controller verifies the operator with the social security number ${PII.ssn} before each payout.
`;

const QUESTIONS = [
  'Who is on call for the kookaburra billing controller?',
  'Which test card does the kookaburra billing controller charge?',
  'Which account does the kookaburra billing controller pay refunds to?',
  'How does the kookaburra billing controller verify the operator before each payout?',
];

/** An OpenAI-compatible endpoint that grades every passage relevant, answers by copying the first passage (PII included), and calls it grounded. */
function copyingLlm(): Promise<{ url: string; calls: () => number; close: () => Promise<void> }> {
  let calls = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += String(d);
    });
    req.on('end', () => {
      calls++;
      const prompt = String((JSON.parse(body) as { messages: { content: string }[] }).messages.at(-1)?.content ?? '');
      // the whole first passage, PII and all
      const passage = /\[1\] \([^)]*\)\n([\s\S]*?)(?:\n\n\[2\] |\n<\/context>)/.exec(prompt)?.[1] ?? '';
      const content = prompt.includes('{"relevant"')
        ? '{"relevant": [1, 2, 3]}'
        : prompt.includes('{"grounded"')
          ? '{"grounded": true, "unsupported": []}'
          : `${passage.replace(/\s+/g, ' ')} [1]`;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({ model: 'scripted', choices: [{ message: { content } }], usage: { prompt_tokens: 10, completion_tokens: 10 } }),
      );
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
        calls: () => calls,
        close: () => new Promise((r) => server.close(() => r())),
      }),
    ),
  );
}

const TOKEN = 'pii-test-token-0123456789';
const stamp = Date.now().toString(36);

async function appWith(extra: Record<string, string>, lines: string[]) {
  const log = new Writable({
    write(chunk, _encoding, callback) {
      lines.push(String(chunk));
      callback();
    },
  });
  const config = loadConfig({ ...testEnv(), PAC_API_TOKENS: `pii:${TOKEN}:read+propose`, PAC_API_RATE_LIMIT: '10000', ...extra });
  const built = await buildApp({ config, log, processMetrics: false });
  const url = await built.app.listen({ host: '127.0.0.1', port: 0 });
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(body),
    });
    return { status: response.status, text: await response.text() };
  };
  return { built, post };
}

describe('PII in a document, through every output channel', () => {
  const collections = [`KbPiiOffline_${stamp}`, `KbPiiLlm_${stamp}`];
  let llm: Awaited<ReturnType<typeof copyingLlm>> | undefined;
  beforeAll(async () => {
    llm = await copyingLlm();
  });
  afterAll(async () => {
    await llm?.close();
    const store = await WeaviateStore.connect(loadConfig(testEnv()));
    for (const c of collections) await store.deleteCollection(c).catch(() => {});
    await store.close();
  });

  for (const generator of ['offline', 'llm'] as const) {
    it(`${generator}: answers, citations, the whole JSON, cached answers and log lines are masked`, async () => {
      const lines: string[] = [];
      const extra: Record<string, string> = { PAC_QA_COLLECTION: collections[generator === 'offline' ? 0 : 1] as string };
      if (generator === 'llm') extra.PAC_LLM_BASE_URL = llm?.url as string;
      const { built, post } = await appWith(extra, lines);
      try {
        const upload = await post('/v1/documents', {
          name: 'kookaburra.md',
          contentType: 'text/markdown',
          content: Buffer.from(DOC).toString('base64'),
        });
        expect(upload.status).toBe(200);
        const answers: string[] = [];
        let masked = 0;
        for (const question of QUESTIONS) {
          const got = await post('/v1/query', { question });
          expect(got.status, got.text).toBe(200);
          const json = JSON.parse(got.text);
          expect(json.answerable, `${generator}: ${question} → ${json.answer}`).toBe(true);
          masked += Object.values(json.guardrails.piiMaskedOutput as Record<string, number>).reduce((a, b) => a + b, 0);
          answers.push(got.text);
        }
        // a cached answer (same question again) goes out through the same mask
        const cached = await post('/v1/query', { question: QUESTIONS[0] });
        expect(JSON.parse(cached.text).cache.hit).toBe(true);
        answers.push(cached.text);
        const all = answers.join('\n');
        expect(masked).toBeGreaterThanOrEqual(4);
        for (const placeholder of ['[PHONE]', '[EMAIL]', '[CREDIT_CARD]', '[IBAN]', '[US_SSN]'])
          expect(all, placeholder).toContain(placeholder);
        expect(leaks(all)).toEqual([]);
        expect(lines.length).toBeGreaterThan(4);
        expect(leaks(lines.join(''))).toEqual([]);
        if (generator === 'llm') expect(llm?.calls()).toBeGreaterThan(0);
      } finally {
        await built.close();
      }
    });
  }

  it('the rag-eval report uploaded to MLflow is masked the same way', async () => {
    const lines: string[] = [];
    const { built, post } = await appWith({ PAC_QA_COLLECTION: collections[0] as string }, lines);
    try {
      const rows = [];
      for (const question of [...QUESTIONS, `My email is ${PII.email}: who is on call for the kookaburra billing controller?`]) {
        const answer = JSON.parse((await post('/v1/query', { question, noCache: true })).text);
        // the rows bench/rag-eval.ts uploads: the raw question of the evaluation set, the answer, its citations
        rows.push({ question, answer: answer.answer, citations: answer.citations.map((c: { excerpt: string }) => c.excerpt) });
      }
      const client = mlflowClientFromConfig(loadConfig(testEnv()));
      const experiment = await client.getOrCreateExperiment('kpc-qa-eval');
      const run = await client.createRun({ experimentId: experiment.experiment_id, runName: uniqueName('qa-eval-pii') });
      await client.uploadArtifact(run.info.run_id, 'qa_eval/report.json', maskedJsonArtifact({ rows }), 'application/json');
      await client.updateRun({ runId: run.info.run_id, status: 'FINISHED' });
      const stored = await client.downloadText(run.info.run_id, 'qa_eval/report.json');
      expect(JSON.parse(stored).rows).toHaveLength(5);
      expect(stored).toContain('[EMAIL]');
      expect(leaks(stored)).toEqual([]);
    } finally {
      await built.close();
    }
  });
});
