/** pac approve — approve a draft awaiting approval (definition shared with reject: decision.ts). */
import { decisionCommand } from './decision';

export const command = decisionCommand('approve');
