/** pac draft — validate a policy request and start its drafting workflow. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac draft --request-file F [--wait-for guardrails|decision] [--worker] [--json]',
  description:
    'Validates a policy request (JSON or YAML; - for standard input) before contacting anything, then starts its\n`draftPolicy` workflow (id = digest of the request: the same request joins the running draft). Without --wait-for it\nprints the draft id and returns; the workflow needs a worker on the drafting queue (`pac worker`, or --worker).\nA policyId already taken by a corpus or published policy is refused (exit 2) unless the request says\n"replaces": "<that id>"; "maxBlastRadius" (0..1, default 0.05) bounds the share of known-good fixtures and recently\nobserved workloads the draft may newly deny.',
  options: {
    'request-file': { type: 'string', value: 'F', help: 'the request (JSON or YAML; - for standard input)' },
    'wait-for': {
      type: 'string',
      value: 'W',
      help: 'guardrails: wait until the guardrails passed or failed; decision: until approved, rejected or expired',
    },
    worker: { type: 'boolean', help: "run an in-process worker while waiting (no 'pac worker' needed)" },
  },
  exitCodes: {
    ok: 'the draft passed the guardrails (with --wait-for decision: it was approved and published)',
    findings: 'the guardrails failed',
    extra: { 4: 'rejected', 5: 'expired' },
  },
  examples: ['pac draft --request-file examples/draft-requests/pod-node-name.yaml --wait-for guardrails --worker'],
  async run({ values, json, config }) {
    const { draftCommand } = await import('../drafts');
    return draftCommand(await config(), {
      requestFile: values['request-file'],
      waitFor: values['wait-for'],
      json,
      worker: values.worker,
    });
  },
});
