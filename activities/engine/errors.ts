/**
 * The engine's errors. Each says what was wrong and where (file:line, manifest index, policy id);
 * none carries a secret: sources are our own or the caller's Rego, never the environment.
 */

export class EngineError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EngineError';
  }
}

/** A built-in (or other construct) the sandbox refuses, found before anything was evaluated. */
export interface Refusal {
  builtin: string;
  file: string;
  line: number;
  reason: string;
}

export const formatRefusal = (r: Refusal) => `${r.file}:${r.line}: ${r.builtin} is refused by the sandbox (${r.reason})`;

/** Untrusted Rego that calls refused built-ins: nothing of it was evaluated. */
export class EngineRefusedError extends EngineError {
  constructor(readonly refusals: Refusal[]) {
    super(`refused before evaluation:\n  ${refusals.map(formatRefusal).join('\n  ')}`);
    this.name = 'EngineRefusedError';
  }
}

/** Rego that does not compile to the engine's module, or needs a built-in the engine lacks. */
export class EngineCompileError extends EngineError {
  constructor(
    message: string,
    readonly details: string[],
  ) {
    super(message);
    this.name = 'EngineCompileError';
  }
}

/** An evaluation over its time or memory limit: the evaluating worker was stopped. */
export class EngineLimitError extends EngineError {
  constructor(
    readonly limit: 'time' | 'memory',
    message: string,
  ) {
    super(message);
    this.name = 'EngineLimitError';
  }
}

/** An evaluation error (e.g. a conflict in a policy), naming the manifest and the policy when known. */
export class EngineEvalError extends EngineError {
  constructor(
    message: string,
    readonly manifestIndex?: number,
    readonly policy?: string,
  ) {
    super(message);
    this.name = 'EngineEvalError';
  }
}
