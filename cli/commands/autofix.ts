/** pac autofix — apply verified fixes for every denial. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac autofix <manifest|-> [--policy ID] [--write] [--json]',
  description:
    'Applies, denial by denial, the smallest verified patch that needs no value only you know (a digest, an owner, a\nnamespace: those are shown as suggestions). Dry run unless --write, which keeps comments and key order.',
  options: {
    policy: { type: 'string', value: 'ID', help: "only this policy's denial" },
    write: { type: 'boolean', help: 'write the fixed YAML back to the file' },
  },
  exitCodes: { ok: 'nothing is denied after the fixes', findings: 'a denial remains' },
  async run({ values, positionals, json, config }) {
    const { autofixCommand } = await import('../troubleshoot');
    return autofixCommand(await config(), positionals, { json, policy: values.policy, write: values.write });
  },
});
