/** Every workflow the workers run. Deterministic code only: no I/O, clocks or randomness here. */
export * from './healthcheck';
