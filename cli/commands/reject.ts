/** pac reject — reject a draft awaiting approval (definition shared with approve: decision.ts). */
import { decisionCommand } from './decision';

export const command = decisionCommand('reject');
