/** pac lint — opa check --strict plus our own Rego rules. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac lint <file.rego|dir>... [--json]',
  description:
    '`opa check --strict` plus our own rules on the AST, each with severity and file:line: unused rules/variables/imports,\ndeny without a message, network or non-deterministic built-ins, deprecated built-ins, print, policies without tests,\nrules that cannot fire for a supported kind, package names.',
  options: {},
  exitCodes: { ok: 'no error (warnings and notes may be printed)', findings: 'a finding of severity error' },
  async run({ positionals, json, config }) {
    const { lintCommand } = await import('../troubleshoot');
    return lintCommand(await config(), positionals, { json });
  },
});
