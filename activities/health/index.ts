/**
 * Activities of the healthcheck workflow: each asks one engine for its health and version.
 * Read-only, so safe to retry.
 */
import type { Config } from '../../infra/config';
import { type EngineHealth, type EngineName, probeEngine } from '../../infra/health';

export function healthActivities(config: Config) {
  return {
    /** Asks one engine for its health; fails (so Temporal retries) while the engine is unhealthy. */
    async checkEngine(input: { engine: EngineName; allowUnhealthy?: boolean }): Promise<EngineHealth> {
      const health = await probeEngine(input.engine, config);
      if (!health.healthy && !input.allowUnhealthy) {
        throw new Error(`${input.engine} is not healthy: ${health.detail ?? 'no detail'}`);
      }
      return health;
    },
  };
}
