/**
 * Every activity the workers register, built over the worker's configuration (activities take
 * their dependencies from here, never from global state). Workflows import only the type.
 */
import type { Config } from '../infra/config';
import { healthActivities } from './health';

export function createActivities(config: Config) {
  return {
    ...healthActivities(config),
  };
}

export type Activities = ReturnType<typeof createActivities>;
