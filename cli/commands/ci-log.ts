/** pac ci-log — the root cause of a failed CI log. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac ci-log <file|-> [--json]',
  description:
    '{root_cause, fix, yaml_patch, confidence, evidence} for a failed CI log: Drain template mining, a knowledge base of\nfailure signatures and retrieval; with PAC_LLM_BASE_URL set, the explanation is written by the LLM from the evidence.',
  options: {},
  exitCodes: { ok: 'the log was analysed (root_cause is "unknown" when no signature matched)' },
  async run({ positionals, json, config }) {
    const { ciLogCommand } = await import('../troubleshoot');
    return ciLogCommand(await config(), positionals, { json });
  },
});
