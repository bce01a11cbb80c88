/** pac drift — the monitor workflow now: the observation window against the ranker champion. */
import { CliUsageError, defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac drift [--shift X [--seed N] [--count N]] [--no-retrain] [--json]',
  description: [
    'Runs the `monitor` workflow now (in-process worker): drift of the latest observation window (PAC_OBSERVATION_WINDOW:',
    "what `pac analyze`, the API, CI and `pac ingest` recorded, one row per manifest digest) against the ranker champion's",
    'training reference (PSI, KS, chi-square, Jensen–Shannon, prediction drift); JSON + HTML report (inline SVG charts of',
    'the drifted features) in MLflow. When drifted (or new labels arrived) it starts a retrain on that same window.',
    'With --shift or --seed the current data is SIMULATED instead (the generator, shifted by X): a demo of drift.',
  ].join('\n'),
  options: {
    shift: { type: 'string', value: 'X', help: 'demo: SIMULATED current data, shifted (0-1), instead of observations' },
    seed: { type: 'string', value: 'N', help: 'demo: generator seed of the SIMULATED current data' },
    count: { type: 'string', value: 'N', help: 'demo: number of SIMULATED manifests (default 2000)' },
    'no-retrain': { type: 'boolean', help: 'report only, do not start a retrain' },
  },
  exitCodes: { ok: 'no drift', findings: 'drift found' },
  examples: ['pac ingest cluster.yaml && pac drift', 'pac drift --shift 0.9 --no-retrain      # demo on simulated data'],
  async run({ values, json, config }) {
    if (values.count !== undefined && values.seed === undefined && values.shift === undefined)
      throw new CliUsageError('--count applies to the simulated demo data: give --shift or --seed with it');
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
