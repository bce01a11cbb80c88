/** pac pause — pause the retrain and monitor Temporal Schedules (definition shared with resume). */
import { userInfo } from 'node:os';
import { CliUsageError, defineCommand, EXIT } from '../common';

export function pauseCommand(action: 'pause' | 'resume') {
  const pausing = action === 'pause';
  return defineCommand({
    usage: `pac ${action} ${pausing ? '--note "<why>"' : '[--note "<why>"]'} [--by <who>] [--json]`,
    description: pausing
      ? 'Pauses the Temporal Schedules kpc-retrain-daily and kpc-monitor-daily with a note saying who and why\n' +
        '("paused by <who>: <why>", shown by `pac status` and the Temporal UI). Only the Schedules stop: drafts awaiting\n' +
        'approval and running lifecycles go on untouched. Pausing again updates the note. `pac resume` undoes it.'
      : 'Resumes (unpauses) the Temporal Schedules kpc-retrain-daily and kpc-monitor-daily, with a note saying who and why.',
    options: {
      note: { type: 'string', value: 'TEXT', help: pausing ? 'why (required)' : 'why (optional)' },
      by: { type: 'string', value: 'WHO', help: 'who (default: $USER)' },
    },
    exitCodes: {
      ok: `the Schedules are ${pausing ? 'paused' : 'running'}`,
      extra: { 4: 'no platform Schedule exists yet (run `pac schedule`)' },
    },
    examples: pausing ? ['pac pause --note "cluster upgrade tonight"'] : ['pac resume --note "upgrade done"'],
    async run({ values, config, print }) {
      if (pausing && !values.note?.trim()) throw new CliUsageError('pac pause needs --note "<why>": the note tells the team why');
      const by = values.by ?? process.env.USER ?? userInfo().username;
      const cfg = await config();
      const { temporalClient } = await import('../../workers/temporal');
      const { setSchedulesPaused } = await import('../../workers/schedules-pause');
      const client = await temporalClient(cfg);
      try {
        const schedules = await setSchedulesPaused(client, pausing, { by, ...(values.note ? { note: values.note } : {}) });
        print(
          { schedules },
          schedules
            .map((s) =>
              s.exists ? `${s.id}: ${s.paused ? 'paused' : 'running'} (${s.note ?? ''})` : `${s.id}: missing (run \`pac schedule\`)`,
            )
            .join('\n'),
        );
        return schedules.some((s) => s.exists) ? EXIT.ok : 4;
      } finally {
        await client.connection.close();
      }
    },
  });
}

export const command = pauseCommand('pause');
