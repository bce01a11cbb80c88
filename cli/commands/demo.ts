/** pac demo — the platform end to end on this machine. */
import { fileURLToPath } from 'node:url';
import { defineCommand, EXIT, wholeNumber } from '../common';

/** The request `pac demo` drafts: a policy the corpus does not have. */
const DEMO_DRAFT_REQUEST = fileURLToPath(new URL('../../examples/draft-requests/pod-host-aliases.yaml', import.meta.url));

/** The question `pac demo` asks the knowledge base (indexed on first use). */
export const DEMO_QUESTION = 'When should a model be promoted to production?';

export const command = defineCommand({
  usage: 'pac demo [--pause-ms N] [--json]',
  description:
    '`pac up`, the healthcheck workflow on an in-process worker, the lifecycle of every model family (ranker, fix,\nlatency), a policy draft up to its guardrails and one question to the knowledge base (answer with citations);\nprints the MLflow and Temporal UI links. The engines keep running.',
  options: { 'pause-ms': { type: 'string', value: 'N', help: 'healthcheck: wait N ms between two rounds of checks' } },
  exitCodes: { ok: 'every step completed' },
  async run({ values, json, config, print }) {
    const pauseMs = wholeNumber('--pause-ms', values['pause-ms'], { min: 0 }) ?? 0;
    const cfg = await config();
    const { runHealthcheck } = await import('../healthcheck');
    const healthy = await runHealthcheck(cfg, { demo: true, json, pauseMs, print });
    if (healthy !== EXIT.ok) return healthy;
    const { trainCommand } = await import('../models');
    const { draftCommand } = await import('../drafts');
    if (!json) process.stdout.write('\nRunning the model lifecycle for every family (ranker, fix, latency) ...\n');
    await trainCommand(cfg, { family: 'all', wait: true, json, count: '2000' });
    if (!json)
      process.stdout.write('\nDrafting a policy from a request (retrieve → generate → opa test → guardrails → await approval) ...\n');
    await draftCommand(cfg, { requestFile: DEMO_DRAFT_REQUEST, waitFor: 'guardrails', json, worker: true });
    if (!json) process.stdout.write(`\nAsking the knowledge base (datasets/kb, indexed on first use): ${DEMO_QUESTION}\n\n`);
    const { formatAnswer, withQa } = await import('./ask');
    const answer = await withQa(cfg, (qa) => qa.query(DEMO_QUESTION));
    process.stdout.write(
      json
        ? `${JSON.stringify({ question: DEMO_QUESTION, answer: answer.answer, answerable: answer.answerable, citations: answer.citations })}\n`
        : `${formatAnswer(answer)}\n`,
    );
    if (!json)
      process.stdout.write(
        `\nModels: ${cfg.mlflow.uri}/#/models   Temporal UI: ${cfg.temporal.uiUrl}\nThe draft waits for a decision: run \`npx pac worker\` and approve or reject it (README: "Drafting a policy").\nAsk more: npx pac ask "<question>"; add documents: npx pac docs add <file|dir>.\nThe engines keep running; stop them with: npx pac down\n`,
      );
    return EXIT.ok;
  },
});
