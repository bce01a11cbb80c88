/** pac approve | reject share one definition: the decision on a draft awaiting approval (not a command itself). */
import { defineCommand } from '../common';

export function decisionCommand(kind: 'approve' | 'reject') {
  const approve = kind === 'approve';
  return defineCommand({
    usage: approve
      ? 'pac approve <id> --reviewer R [--comment C] [--wait] [--json]'
      : 'pac reject <id> --reviewer R --reason "…" [--wait] [--json]',
    description: approve
      ? 'Approves a draft awaiting approval: it is then published and a ranker retrain is requested. Shows first what is\napproved: the blast radius with the resources it newly denies, and the policy it replaces, if any.'
      : 'Rejects a draft awaiting approval, with the reason (required).',
    options: {
      reviewer: { type: 'string', value: 'R', help: 'who decides (required)' },
      ...(approve
        ? { comment: { type: 'string', value: 'C', help: 'optional comment' } as const }
        : { reason: { type: 'string', value: 'R', help: 'why (required)' } as const }),
      wait: { type: 'boolean', help: 'wait until the draft has acted on the decision' },
    },
    exitCodes: {
      ok: approve
        ? 'the approval was sent (with --wait: the draft was published)'
        : 'the rejection was sent (with --wait: the draft ended rejected)',
      findings: 'with --wait: the draft failed its guardrails',
      extra: { 4: 'with --wait: the draft ended rejected', 5: 'with --wait: the draft expired' },
    },
    async run({ values, positionals, json, config }) {
      const { decideCommand } = await import('../drafts');
      const v = values as { reviewer?: string; comment?: string; reason?: string; wait: boolean };
      return decideCommand(await config(), kind, {
        id: positionals[0],
        reviewer: v.reviewer,
        comment: v.comment,
        reason: v.reason,
        json,
        wait: v.wait,
      });
    },
  });
}
