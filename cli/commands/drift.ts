/** pac drift — the monitor workflow now. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac drift [--seed N] [--count N] [--shift X] [--no-retrain] [--json]',
  description:
    "Runs the `monitor` workflow now (in-process worker): drift of current manifests against the ranker champion's training\nreference (PSI, KS, chi-square, Jensen–Shannon, prediction drift), JSON + HTML report in MLflow; starts a retrain\nwhen drifted or when new labels arrived.",
  options: {
    seed: { type: 'string', value: 'N', help: 'generator seed' },
    count: { type: 'string', value: 'N', help: 'number of generated manifests' },
    shift: { type: 'string', value: 'X', help: 'shift the generated population (0-1) to see drift' },
    'no-retrain': { type: 'boolean', help: 'report only, do not start a retrain' },
  },
  exitCodes: { ok: 'no drift', findings: 'drift found' },
  async run({ values, json, config }) {
    const { driftCommand } = await import('../models');
    return driftCommand(await config(), {
      json,
      seed: values.seed,
      count: values.count,
      shift: values.shift,
      noRetrain: values['no-retrain'],
    });
  },
});
