/**
 * healthcheck: asks every engine for its health and version, optionally waits on a durable timer
 * and asks again. The timer makes it the smallest proof of durability: a worker can die while the
 * workflow waits, and a new worker finishes it without redoing the first round.
 */
import { defineQuery, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { EngineHealth, EngineName } from '../infra/health';
import { step } from './activity-options';

const { checkEngine } = proxyActivities<Activities>(step('engineCheck'));

export interface HealthcheckInput {
  /** wait this long between the first and the second round; 0 means one round only */
  pauseMs?: number;
  engines?: EngineName[];
}

export interface HealthcheckResult {
  healthy: boolean;
  rounds: EngineHealth[][];
  workflowId: string;
}

export type HealthcheckPhase = 'checking' | 'waiting' | 'rechecking' | 'done';
export const healthcheckPhaseQuery = defineQuery<HealthcheckPhase>('phase');

const ALL: EngineName[] = ['temporal', 'opa', 'mlflow', 'weaviate'];

export async function healthcheck(input: HealthcheckInput = {}): Promise<HealthcheckResult> {
  let phase: HealthcheckPhase = 'checking';
  setHandler(healthcheckPhaseQuery, () => phase);
  const engines = input.engines ?? ALL;
  const round = () => Promise.all(engines.map((engine) => checkEngine({ engine })));

  const rounds: EngineHealth[][] = [await round()];
  if (input.pauseMs && input.pauseMs > 0) {
    phase = 'waiting';
    await sleep(input.pauseMs);
    phase = 'rechecking';
    rounds.push(await round());
  }
  phase = 'done';
  return { healthy: rounds.every((r) => r.every((h) => h.healthy)), rounds, workflowId: workflowInfo().workflowId };
}
