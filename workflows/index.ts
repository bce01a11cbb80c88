/** Every workflow the workers run. Deterministic code only: no I/O, clocks or randomness here. */

export * from './analyze-batch';
export * from './draft';
export * from './healthcheck';
export * from './lifecycle';
export * from './monitor';
export * from './retrain';
export { type RankerShardsInput, type RankerShardsResult, rankerData } from './shards';
export * from './troubleshoot';
