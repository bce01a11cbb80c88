/** pac troubleshoot — why a manifest is denied, and verified fixes. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac troubleshoot <manifest|-> [--policy ID] [--json]',
  description:
    'For each object in the file: the policies that deny it, the failure class, the smallest manifest the policy still\ndenies, the fix strategy and verified RFC 6902 patches ranked by size (or a verified policy change).',
  options: { policy: { type: 'string', value: 'ID', help: "only this policy's denial" } },
  exitCodes: { ok: 'no policy denies the manifest', findings: 'a policy denies it' },
  async run({ values, positionals, json, config }) {
    const { troubleshootCommand } = await import('../troubleshoot');
    return troubleshootCommand(await config(), positionals, { json, policy: values.policy });
  },
});
