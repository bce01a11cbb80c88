/** pac schedule — the daily Temporal Schedules. */
import { defineCommand } from '../common';

export const command = defineCommand({
  usage: 'pac schedule [--json]',
  description:
    'Creates or updates (idempotently) the Temporal Schedules kpc-retrain-daily (retrainAll, PAC_RETRAIN_CRON, default\n03:00 UTC) and kpc-monitor-daily (monitor, PAC_MONITOR_CRON).',
  options: {},
  exitCodes: { ok: 'the schedules exist as configured' },
  async run({ json, config }) {
    const { scheduleCommand } = await import('../models');
    return scheduleCommand(await config(), json);
  },
});
