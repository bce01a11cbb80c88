/**
 * What integration tests use to reach the engines: the configuration that the global setup
 * started them with (its own state directory and ports, so tests never touch a developer's data).
 */
import { inject } from 'vitest';
import { type Config, loadConfig } from '../../infra/config';

declare module 'vitest' {
  export interface ProvidedContext {
    pacEnv: Record<string, string>;
  }
}

/** The environment (PAC_* variables) the engines of this test run were started with. */
export function testEnv(): NodeJS.ProcessEnv {
  return { ...process.env, ...inject('pacEnv') };
}

/** The engines' configuration for this test run. */
export function testConfig(): Config {
  return loadConfig(testEnv());
}

/** A name unique to this test run, for experiments, collections and workflow ids. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
