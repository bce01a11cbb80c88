/** Every workflow the workers run. Deterministic code only: no I/O, clocks or randomness here. */

export * from './draft';
export * from './healthcheck';
export * from './lifecycle';
export * from './monitor';
export * from './retrain';
export * from './troubleshoot';
