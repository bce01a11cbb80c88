/**
 * Evaluation on one thread (a pool worker, or the calling thread with `threads: 0`): one wasm
 * instance, the base data document cached by key, and a batch of JSON-encoded manifests in, one
 * verdict per manifest out. Imports nothing but the wasm host, so a worker starts fast.
 */
import { MissingBuiltinsError, WasmAbortError, WasmPolicy, type WasmPolicyOptions } from './abi';

/** What a thread needs to know about the compiled module. */
export interface ModulePlan {
  /** the generated aggregate entrypoint: policy id → denial messages, only denying policies */
  aggregate: string;
  /** policy id → its own entrypoint (`<package path>/deny`) */
  policies: Record<string, string>;
}

export interface Batch {
  /** the manifests' JSON, concatenated (UTF-8) */
  inputs: Uint8Array;
  /** byte offsets: manifest i is inputs[offsets[i] .. offsets[i + 1]) */
  offsets: number[];
  /** the base data document's JSON and a key naming it (re-loaded only when the key changes) */
  dataKey: string;
  data: string;
  /** evaluate only these policies (their own entrypoints); all through the aggregate when absent */
  policies?: string[];
  /** positions in this batch whose per-policy times are measured */
  sample?: number[];
}

export interface Verdict {
  denied: Record<string, string[]>;
  /** policy id → messages that were not strings (reported as their JSON text in `denied`) */
  malformed?: Record<string, number>;
  timingsUs?: Record<string, number>;
  /** policy id → why it could not evaluate this manifest (e.g. a rule that took two values); the other policies' verdicts stand */
  failed?: Record<string, string>;
}

export class EvaluationError extends Error {
  constructor(
    message: string,
    readonly index: number,
    readonly policy?: string,
    readonly limit?: 'memory',
  ) {
    super(message);
    this.name = 'EvaluationError';
  }
}

const isMemoryFailure = (error: unknown) =>
  error instanceof RangeError || (error instanceof WasmAbortError && /malloc|memory/i.test(error.message));

/** The messages of one policy's deny set, sorted; non-string messages are counted and shown as JSON. */
function messagesOf(value: unknown): { messages: string[]; malformed: number } {
  const items = Array.isArray(value) ? value : [value];
  let malformed = 0;
  const messages = items.map((m) => {
    if (typeof m === 'string') return m;
    malformed++;
    return JSON.stringify(m);
  });
  return { messages: messages.sort(), malformed };
}

/** Adds one policy entrypoint's result set (its deny messages, if any) to a verdict. */
function addPolicyResult(verdict: Verdict, id: string, resultSet: string): void {
  const value = (JSON.parse(resultSet) as { result?: unknown }[])[0]?.result;
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return;
  const { messages, malformed } = messagesOf(value);
  verdict.denied[id] = messages;
  if (malformed) verdict.malformed = { ...verdict.malformed, [id]: malformed };
}

export class Evaluator {
  private policy: WasmPolicy | undefined;
  private dataKey: string | undefined;
  private aggregate = -1;
  private entrypoints = new Map<string, number>();

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly plan: ModulePlan,
    private readonly options: WasmPolicyOptions = {},
  ) {}

  /** Instantiates (again, after an abort) and checks every planned entrypoint exists. */
  private async ready(batch: Batch): Promise<WasmPolicy> {
    if (!this.policy) {
      const policy = await WasmPolicy.instantiate(this.module, this.options);
      const find = (name: string) => {
        const id = policy.entrypoints[name];
        if (id === undefined) throw new Error(`the compiled module has no entrypoint ${name}`);
        return id;
      };
      this.aggregate = find(this.plan.aggregate);
      this.entrypoints = new Map(Object.entries(this.plan.policies).map(([id, name]) => [id, find(name)]));
      this.policy = policy;
      this.dataKey = undefined;
    }
    if (this.dataKey !== batch.dataKey) {
      this.policy.setData(batch.data);
      this.dataKey = batch.dataKey;
    }
    return this.policy;
  }

  async run(batch: Batch): Promise<Verdict[]> {
    let policy = await this.ready(batch);
    const selected = batch.policies?.map((id) => {
      const entrypoint = this.entrypoints.get(id);
      if (entrypoint === undefined) throw new Error(`unknown policy ${id}`);
      return [id, entrypoint] as const;
    });
    const sampled = new Set(batch.sample ?? []);
    const out: Verdict[] = [];
    for (let i = 0; i + 1 < batch.offsets.length; i++) {
      const input = batch.inputs.subarray(batch.offsets[i], batch.offsets[i + 1]);
      let verdict: Verdict;
      try {
        verdict = selected ? this.selected(policy, input, selected) : this.all(policy, input);
        if (sampled.has(i))
          verdict.timingsUs = this.timings(
            policy,
            input,
            selected?.map(([id]) => id),
          );
      } catch (error) {
        if (!(error instanceof WasmAbortError) || isMemoryFailure(error)) throw this.failure(error, input, i);
        // a policy aborted on this manifest (a conflict, a failed built-in): judge it policy by policy
        verdict = await this.onePolicyAtATime(batch, input, i, selected ?? [...this.entrypoints]);
        policy = await this.ready(batch);
      }
      out.push(verdict);
    }
    return out;
  }

  private all(policy: WasmPolicy, input: Uint8Array): Verdict {
    const set = JSON.parse(policy.evaluate(input, this.aggregate)) as { result?: Record<string, unknown> }[];
    const result = set[0]?.result ?? {};
    const verdict: Verdict = { denied: {} };
    for (const id of Object.keys(result).sort()) {
      const { messages, malformed } = messagesOf(result[id]);
      verdict.denied[id] = messages;
      if (malformed) verdict.malformed = { ...verdict.malformed, [id]: malformed };
    }
    return verdict;
  }

  private selected(policy: WasmPolicy, input: Uint8Array, selected: readonly (readonly [string, number])[]): Verdict {
    const verdict: Verdict = { denied: {} };
    for (const [id, entrypoint] of selected) addPolicyResult(verdict, id, policy.evaluate(input, entrypoint));
    return verdict;
  }

  /** Each policy on its own, on a fresh instance after every abort; the aborting ones are listed in `failed`. */
  private async onePolicyAtATime(
    batch: Batch,
    input: Uint8Array,
    index: number,
    policies: readonly (readonly [string, number])[],
  ): Promise<Verdict> {
    const verdict: Verdict = { denied: {} };
    this.policy = undefined;
    for (const [id] of policies) {
      const policy = await this.ready(batch);
      const entrypoint = this.entrypoints.get(id) as number;
      try {
        addPolicyResult(verdict, id, policy.evaluate(input, entrypoint));
      } catch (error) {
        if (!(error instanceof WasmAbortError) || isMemoryFailure(error)) throw this.failure(error, input, index);
        verdict.failed = { ...verdict.failed, [id]: error.message };
        this.policy = undefined;
      }
    }
    return verdict;
  }

  private timings(policy: WasmPolicy, input: Uint8Array, only?: string[]): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [id, entrypoint] of this.entrypoints) {
      if (only && !only.includes(id)) continue;
      out[id] = Math.round(policy.time(input, entrypoint) * 10) / 10;
    }
    return out;
  }

  /** Names the failing policy (each entrypoint on its own) and drops the instance. */
  private failure(error: unknown, input: Uint8Array, index: number): Error {
    const policy = this.policy;
    this.policy = undefined;
    if (error instanceof MissingBuiltinsError) return error;
    if (isMemoryFailure(error))
      return new EvaluationError(`manifest #${index}: the evaluation ran out of memory`, index, undefined, 'memory');
    if (!(error instanceof WasmAbortError) || !policy) return error instanceof Error ? error : new Error(String(error));
    for (const [id, entrypoint] of this.entrypoints) {
      try {
        policy.evaluate(input, entrypoint);
      } catch (inner) {
        const message = inner instanceof Error ? inner.message : String(inner);
        return new EvaluationError(`manifest #${index}: policy ${id} failed: ${message}`, index, id);
      }
    }
    return new EvaluationError(`manifest #${index}: ${error.message}`, index);
  }
}
