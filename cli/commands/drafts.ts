/** pac drafts — drafts waiting for a decision, or one draft's status. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac drafts [id] [--all] [--json]',
  description:
    'Drafts waiting for a decision (--all: every running draft); with an id, that draft: policy, OPA results, guardrails,\nprovenance and how to approve or reject it. Each draft shows its blast radius (what it would newly deny, with the\nresources) and the policy it replaces, if any.',
  options: { all: { type: 'boolean', help: 'every running draft, not only those awaiting approval' } },
  exitCodes: { ok: 'listed' },
  async run({ values, positionals, json, config }) {
    const { draftsCommand } = await import('../drafts');
    return draftsCommand(await config(), { json, all: values.all, id: positionals[0] });
  },
});
