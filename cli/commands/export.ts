/** pac export gatekeeper <dir> — every corpus policy as a Gatekeeper ConstraintTemplate and Constraint. */
import { CliUsageError, defineCommand, EXIT, oneOf } from '../common';

const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export const command = defineCommand({
  usage: 'pac export gatekeeper <dir> [--deny-severity S] [--params FILE] [--json]',
  description: [
    'Writes a ConstraintTemplate (templates.gatekeeper.sh/v1, Rego v1) and a Constraint for every corpus policy, and the',
    'sync Config the cross-object policies need: <dir>/templates/*.yaml, <dir>/constraints/*.yaml, <dir>/sync.yaml.',
    "The template's libs hold the corpus library and the policy moved under lib.*; its entry module judges",
    'input.review.object with the Constraint parameters, input.review.operation/oldObject and data.inventory, and',
    'honours kpc.io/exempt (with kpc.io/exempt-reason). Files are written atomically after every module compiled.',
    'Apply with: kubectl apply -f <dir>/templates && kubectl apply -f <dir>/constraints -f <dir>/sync.yaml',
  ].join('\n'),
  options: {
    'deny-severity': {
      type: 'string',
      value: 'S',
      help: 'low | medium | high (default) | critical: Constraints of policies at or above it deny, the others warn',
    },
    params: { type: 'string', value: 'FILE', help: 'parameters file (`<policy id>: {<parameter>: value}`) for the Constraints' },
  },
  exitCodes: { ok: 'exported every policy' },
  examples: ['pac export gatekeeper gatekeeper/', 'pac export gatekeeper out/ --deny-severity medium --params params.yaml --json'],
  async run({ values, positionals, config, print }) {
    const [target, dir, ...rest] = positionals;
    if (target !== 'gatekeeper')
      throw new CliUsageError(
        `export: expected "gatekeeper" as the first argument, got ${target === undefined ? 'nothing' : `"${target}"`}`,
      );
    if (!dir) throw new CliUsageError('export gatekeeper: name the output directory');
    if (rest.length) throw new CliUsageError(`export gatekeeper: one output directory, got also ${rest.map((r) => `"${r}"`).join(', ')}`);
    const denySeverity =
      values['deny-severity'] === undefined ? 'high' : oneOf('--deny-severity', [values['deny-severity']], SEVERITIES)[0];
    const { exportGatekeeper } = await import('../../activities/export');
    let result: Awaited<ReturnType<typeof exportGatekeeper>>;
    try {
      result = await exportGatekeeper(await config(), dir, { denySeverity, ...(values.params ? { paramsFile: values.params } : {}) });
    } catch (error) {
      // a bad parameters file is the user's input
      if (error instanceof Error && error.name === 'DatasetError') throw new CliUsageError(`--params: ${error.message}`);
      throw error;
    }
    const deny = result.policies.filter((p) => p.enforcementAction === 'deny').length;
    const text = [
      `exported ${result.policies.length} policies to ${result.dir}: ${result.policies.length} ConstraintTemplates, ${result.policies.length} Constraints (${deny} deny, ${result.policies.length - deny} warn), sync.yaml`,
      ...result.notes.map((n) => `note: ${n}`),
    ].join('\n');
    print(result, text);
    return EXIT.ok;
  },
});
