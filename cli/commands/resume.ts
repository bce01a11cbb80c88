/** pac resume — resume the retrain and monitor Temporal Schedules (definition shared with pause). */
import { pauseCommand } from './pause';

export const command = pauseCommand('resume');
