/**
 * The one policy engine: the corpus (datasets/policies: the library and every policy.rego) plus the
 * published policies, compiled by `opa build -t wasm` into one WebAssembly module and evaluated in
 * process by our own host for the OPA wasm ABI (activities/engine/abi.ts), on a pool of worker
 * threads. Verdicts and messages equal `opa eval`'s (test/integration/engine-equivalence.test.ts).
 *
 *   const engine = await corpusEngine(config);            // cached by corpus digest, rebuilt on change
 *   const verdicts = await engine.evaluate(manifests);    // one ManifestVerdict per manifest, in order
 *   await engine.close();
 *
 * Untrusted Rego (drafts, LLM output) goes through draftEngine: scanned for refused built-ins,
 * compiled with the sandbox capabilities and evaluated in a worker with time and memory limits
 * (activities/engine/sandbox.ts).
 */

export { HOST_BUILTINS } from './builtins';
export { type BuildOptions, buildCorpusBundle, type CorpusBundle } from './bundle';
export { SANDBOX_REFUSED_BUILTINS, sandboxRefusal } from './capabilities';
export {
  corpusEngine,
  draftEngine,
  type EngineConfig,
  type EvaluateOptions,
  type ManifestVerdict,
  type PolicyEngine,
  sharedCorpusEngine,
} from './engine';
export {
  EngineCompileError,
  EngineError,
  EngineEvalError,
  EngineLimitError,
  EngineRefusedError,
  formatRefusal,
  type Refusal,
} from './errors';
export { assertSandboxed, type SandboxConfig, type SandboxOptions, sandboxOptions, scanRego } from './sandbox';
