/**
 * Every activity the workers register, built over the worker's configuration (activities take
 * their dependencies from here, never from global state). Workflows import only the type.
 */
import type { Config } from '../infra/config';
import { batchActivities } from './analyze/batch';
import { draftingActivities } from './drafting';
import { healthActivities } from './health';
import { monitorActivities } from './lifecycle/monitor';
import { runActivities } from './lifecycle/run';
import { shardActivities } from './lifecycle/shards';
import { trainActivities } from './lifecycle/train';
import { troubleshootingActivities } from './troubleshooting';

export function createActivities(config: Config) {
  return {
    ...healthActivities(config),
    ...runActivities(config),
    ...trainActivities(config),
    ...shardActivities(config),
    ...batchActivities(config),
    ...monitorActivities(config),
    ...draftingActivities(config),
    ...troubleshootingActivities(config),
  };
}

export type Activities = ReturnType<typeof createActivities>;
