/**
 * Pausing and resuming the platform's Temporal Schedules (`pac pause`, `pac resume`): Temporal's own
 * pause, with a note saying who and why, shown by `describe()`, the Temporal UI and `pac status`.
 * Only the Schedules stop firing: drafts awaiting approval, running lifecycles and monitors are
 * workflows of their own and go on untouched (a paused Schedule starts nothing new; overlapping
 * runs were never started by it). Pausing twice keeps the Schedules paused and updates the note.
 */
import { type Client, ScheduleNotFoundError } from '@temporalio/client';
import { SCHEDULE_IDS } from './schedules';

export interface ScheduleStatus {
  id: string;
  /** false: the Schedule does not exist (run `pac schedule`) */
  exists: boolean;
  paused: boolean;
  note?: string;
  nextRuns: string[];
}

/** Longest note kept; Temporal stores it with the Schedule. */
const NOTE_LIMIT = 500;

/**
 * "paused by alice: cluster upgrade tonight": one line, control characters removed, bounded. Pure.
 * Throws on an empty `by` (who paused is the point of the note).
 */
export function scheduleNote(action: 'paused' | 'resumed', by: string, why?: string): string {
  const clean = (text: string) =>
    text
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u001f\u007f]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim();
  const who = clean(by);
  if (!who) throw new Error('who pauses or resumes must be named (--by, default $USER)');
  const reason = why ? clean(why) : '';
  const note = `${action} by ${who}${reason ? `: ${reason}` : ''}`;
  return note.length > NOTE_LIMIT ? `${note.slice(0, NOTE_LIMIT - 1)}…` : note;
}

async function statusOf(client: Client, id: string): Promise<ScheduleStatus> {
  try {
    const described = await client.schedule.getHandle(id).describe();
    return {
      id,
      exists: true,
      paused: described.state.paused,
      ...(described.state.note ? { note: described.state.note } : {}),
      nextRuns: described.info.nextActionTimes.slice(0, 3).map((d) => d.toISOString()),
    };
  } catch (error) {
    if (error instanceof ScheduleNotFoundError) return { id, exists: false, paused: false, nextRuns: [] };
    throw error;
  }
}

/** The state of every platform Schedule. */
export function scheduleStatuses(client: Client): Promise<ScheduleStatus[]> {
  return Promise.all(SCHEDULE_IDS.map((id) => statusOf(client, id)));
}

/**
 * Pauses (or resumes) every platform Schedule that exists, with the note; returns their states
 * after the change. Schedules that do not exist are reported with exists: false.
 */
export async function setSchedulesPaused(client: Client, paused: boolean, who: { by: string; note?: string }): Promise<ScheduleStatus[]> {
  const note = scheduleNote(paused ? 'paused' : 'resumed', who.by, who.note);
  const states: ScheduleStatus[] = [];
  for (const id of SCHEDULE_IDS) {
    const handle = client.schedule.getHandle(id);
    try {
      if (paused) await handle.pause(note);
      else await handle.unpause(note);
    } catch (error) {
      if (!(error instanceof ScheduleNotFoundError)) throw error;
    }
    states.push(await statusOf(client, id));
  }
  return states;
}
