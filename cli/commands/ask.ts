/** pac ask — a question to the knowledge base; the answer with its citations (file and heading). */
import type { QaAnswer, QaService } from '../../activities/qa/service';
import type { Config } from '../../infra/config';
import { CliUsageError, defineCommand, EXIT, wholeNumber } from '../common';

const MODES = ['hybrid', 'bm25', 'vector'] as const;

/**
 * Runs `fn` with the document Q&A service of the configuration and closes it after. The shipped
 * knowledge base is indexed on first use (a note on stderr says so when it was embedded now).
 */
export async function withQa<T>(config: Config, fn: (qa: QaService) => Promise<T>): Promise<T> {
  const { qaServiceFromConfig } = await import('../../activities/qa/service');
  const { qa, close } = await qaServiceFromConfig(config);
  try {
    const report = await qa.ensureKnowledgeBase().catch(async (error: Error) => {
      const { WeaviateStore } = await import('../../activities/retrieval/weaviate');
      const store = await WeaviateStore.connect(config);
      const up = await store.ready().finally(() => store.close());
      if (up) throw error;
      throw new Error(
        `Weaviate at ${config.weaviate.url} is not reachable (start it with: pac up weaviate): ${error.message.split('\n')[0]}`,
      );
    });
    if (report.reembedded > 0) process.stderr.write(`re-embedded ${report.reembedded} chunks for the configured embedder\n`);
    if (report.indexed.length > 0)
      process.stderr.write(
        `indexed the shipped knowledge base: ${report.indexed.length} document(s) embedded, ${report.unchanged} unchanged (${(report.ms / 1000).toFixed(1)} s)\n`,
      );
    return await fn(qa);
  } finally {
    await close();
  }
}

/** A citation as people read it: the file, the section heading, the document title. */
export function citationLine(c: QaAnswer['citations'][number]): string {
  const file = c.file || `${c.source}`;
  return `[${c.n}] ${file}${c.heading ? ` › ${c.heading}` : ''}${c.title && c.title !== c.heading ? `  (${c.title})` : ''}`;
}

/** The answer and its sources, for a terminal. */
export function formatAnswer(answer: QaAnswer): string {
  const lines = [answer.answer];
  if (answer.citations.length > 0) lines.push('', 'Sources:', ...answer.citations.map((c) => `  ${citationLine(c)}`));
  if (!answer.answerable && answer.refusalReason) lines.push('', `(not answered: ${answer.refusalReason})`);
  return lines.join('\n');
}

export const command = defineCommand({
  usage: 'pac ask "<question>" [--top-k N] [--mode hybrid|bm25|vector] [--json]',
  description:
    'Answers a question from the knowledge base: hybrid retrieval, grading, an answer with citations, grounding check\n(or "the knowledge base does not contain an answer"). The shipped knowledge base (datasets/kb) is indexed on\nfirst use; add your own documents with `pac docs add`. Offline answers are extractive; set PAC_LLM_BASE_URL for\ngenerated ones. Needs Weaviate (`pac up`).',
  options: {
    'top-k': { type: 'string', value: 'N', help: 'passages to retrieve (1-20, default 6)' },
    mode: { type: 'string', value: 'MODE', help: 'retrieval: hybrid (default), bm25 or vector' },
  },
  exitCodes: { ok: 'the question was processed (answered, or the knowledge base has no answer: see "answerable")' },
  examples: ['pac ask "When should a model be promoted to production?"', 'pac ask "How is drift measured?" --json'],
  async run({ positionals, values, json, config, print }) {
    const question = positionals.join(' ').trim();
    if (question.length < 3)
      throw new CliUsageError(
        'a question of at least 3 characters is needed, e.g. pac ask "When should a model be promoted to production?"',
      );
    if (question.length > 2000) throw new CliUsageError(`the question has ${question.length} characters; at most 2000 are allowed`);
    const topK = wholeNumber('--top-k', values['top-k'], { min: 1 });
    if (topK !== undefined && topK > 20) throw new CliUsageError(`--top-k: expected at most 20, got ${topK}`);
    const mode = values.mode ?? 'hybrid';
    if (!(MODES as readonly string[]).includes(mode)) throw new CliUsageError(`--mode: expected one of ${MODES.join(', ')}, got "${mode}"`);
    const cfg = await config();
    const { secretRedactor } = await import('../../lib/redact');
    const { secretValues } = await import('../../infra/config');
    const redact = secretRedactor(secretValues(cfg));
    const answer = await withQa(cfg, (qa) =>
      qa.query(redact(question), { mode: mode as (typeof MODES)[number], ...(topK !== undefined ? { topK } : {}) }),
    );
    print(json ? answer : undefined, formatAnswer(answer));
    return EXIT.ok;
  },
});
