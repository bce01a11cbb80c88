/**
 * Our host for OPA's WebAssembly ABI (1.x, minor ≥ 2): instantiates a policy module compiled by
 * `opa build -t wasm`, loads the base data document once, and evaluates inputs through the
 * one-call `opa_eval` fast path (input bytes written straight into wasm memory, the result read as
 * JSON text). Built-ins that are not native to OPA's wasm are dispatched by name to
 * builtins/HOST_BUILTINS; `opa_abort` becomes a WasmAbortError. The per-entrypoint timing path uses
 * the context API (parse input, set data and entrypoint, time `eval` alone).
 *
 * No network, file or environment access exists in here: a module can only reach what this host
 * offers (the built-ins listed in builtins/index.ts).
 */
import { type BuiltinArgs, HOST_BUILTINS, type HostBuiltin, missingBuiltins } from './builtins';

export class WasmAbortError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WasmAbortError';
  }
}

/** A module needs host built-ins we do not implement. */
export class MissingBuiltinsError extends Error {
  constructor(readonly builtins: string[]) {
    super(`the policy needs built-ins the engine does not provide: ${builtins.join(', ')}`);
    this.name = 'MissingBuiltinsError';
  }
}

interface Exports {
  memory?: WebAssembly.Memory;
  opa_malloc(size: number): number;
  opa_json_parse(addr: number, len: number): number;
  opa_json_dump(addr: number): number;
  opa_value_dump(addr: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(addr: number): void;
  opa_eval(reserved: number, entrypoint: number, data: number, input: number, inputLen: number, heap: number, format: number): number;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(ctx: number, input: number): void;
  opa_eval_ctx_set_data(ctx: number, data: number): void;
  opa_eval_ctx_set_entrypoint(ctx: number, entrypoint: number): void;
  eval(ctx: number): number;
  builtins(): number;
  entrypoints(): number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const PAGE = 65536;

export interface WasmPolicyOptions {
  /** a cap on the module's linear memory, in 64 KiB pages (untrusted code); unlimited when absent */
  maxMemoryPages?: number;
}

export class WasmPolicy {
  readonly entrypoints: Record<string, number>;
  /** the host built-ins the module calls */
  readonly builtins: string[];
  private readonly x: Exports;
  private readonly memory: WebAssembly.Memory;
  private readonly baseHeap: number;
  private dataAddr = 0;
  private dataHeap: number;

  private constructor(instance: WebAssembly.Instance, memory: WebAssembly.Memory, setNames: (names: string[]) => void) {
    this.x = instance.exports as unknown as Exports;
    this.memory = memory;
    const builtinIds = JSON.parse(this.dumpJson(this.x.builtins())) as Record<string, number>;
    const names: string[] = [];
    for (const [name, id] of Object.entries(builtinIds)) names[id] = name;
    setNames(names);
    this.builtins = Object.keys(builtinIds).sort();
    this.entrypoints = JSON.parse(this.dumpJson(this.x.entrypoints())) as Record<string, number>;
    this.baseHeap = this.x.opa_heap_ptr_get();
    this.dataHeap = this.baseHeap;
  }

  /** Instantiates the module; throws MissingBuiltinsError when it needs a built-in we lack. */
  static async instantiate(module: WebAssembly.Module, options: WasmPolicyOptions = {}): Promise<WasmPolicy> {
    const memory = new WebAssembly.Memory(
      options.maxMemoryPages ? { initial: Math.min(5, options.maxMemoryPages), maximum: options.maxMemoryPages } : { initial: 5 },
    );
    let names: string[] = [];
    let policy: WasmPolicy | undefined;
    const call = (id: number, args: number[]): number => {
      const name = names[id] as string;
      const impl = HOST_BUILTINS[name] as HostBuiltin;
      return (policy as WasmPolicy).callBuiltin(impl, args);
    };
    const env = {
      memory,
      opa_abort: (addr: number) => {
        throw new WasmAbortError(policy ? policy.readString(addr) : 'abort while loading the module');
      },
      opa_println: () => {},
      opa_builtin0: (id: number) => call(id, []),
      opa_builtin1: (id: number, _ctx: number, a: number) => call(id, [a]),
      opa_builtin2: (id: number, _ctx: number, a: number, b: number) => call(id, [a, b]),
      opa_builtin3: (id: number, _ctx: number, a: number, b: number, c: number) => call(id, [a, b, c]),
      opa_builtin4: (id: number, _ctx: number, a: number, b: number, c: number, d: number) => call(id, [a, b, c, d]),
    };
    const instance = await WebAssembly.instantiate(module, { env });
    policy = new WasmPolicy(instance, memory, (n) => {
      names = n;
    });
    const missing = missingBuiltins(policy.builtins);
    if (missing.length) throw new MissingBuiltinsError(missing);
    return policy;
  }

  private bytes(): Uint8Array {
    return new Uint8Array(this.memory.buffer);
  }

  readString(addr: number): string {
    const bytes = this.bytes();
    const end = bytes.indexOf(0, addr);
    return decoder.decode(bytes.subarray(addr, end === -1 ? bytes.length : end));
  }

  private dumpJson(value: number): string {
    return this.readString(this.x.opa_json_dump(value));
  }

  private loadJsonBytes(bytes: Uint8Array): number {
    const addr = this.x.opa_malloc(bytes.length);
    this.bytes().set(bytes, addr);
    const value = this.x.opa_json_parse(addr, bytes.length);
    if (value === 0) throw new WasmAbortError('the policy module could not parse a JSON document (opa_json_parse)');
    return value;
  }

  private callBuiltin(impl: HostBuiltin, args: number[]): number {
    const json: unknown[] = [];
    const args_: BuiltinArgs = {
      count: args.length,
      json: (i) => {
        if (!(i in json)) json[i] = JSON.parse(this.dumpJson(args[i] as number));
        return json[i];
      },
      regoText: (i) => this.readString(this.x.opa_value_dump(args[i] as number)),
    };
    const result = impl(args_);
    return result === undefined ? 0 : this.loadJsonBytes(encoder.encode(result));
  }

  /** Loads the base data document (data.*) that every evaluation sees. */
  setData(dataJson: string): void {
    this.x.opa_heap_ptr_set(this.baseHeap);
    this.dataAddr = this.loadJsonBytes(encoder.encode(dataJson));
    this.dataHeap = this.x.opa_heap_ptr_get();
  }

  private place(input: Uint8Array): number {
    const need = this.dataHeap + input.length - this.memory.buffer.byteLength;
    if (need > 0) this.memory.grow(Math.ceil(need / PAGE));
    this.bytes().set(input, this.dataHeap);
    return this.dataHeap;
  }

  /** Evaluates one entrypoint on one input (JSON bytes): the result set as JSON text. */
  evaluate(input: Uint8Array, entrypoint: number): string {
    const at = this.place(input);
    const result = this.x.opa_eval(0, entrypoint, this.dataAddr, at, input.length, at + input.length, 0);
    return this.readString(result);
  }

  /** Microseconds one entrypoint takes on one input, input parsing excluded. */
  time(input: Uint8Array, entrypoint: number): number {
    this.x.opa_heap_ptr_set(this.dataHeap);
    const inputValue = this.loadJsonBytes(input);
    const ctx = this.x.opa_eval_ctx_new();
    this.x.opa_eval_ctx_set_input(ctx, inputValue);
    this.x.opa_eval_ctx_set_data(ctx, this.dataAddr);
    this.x.opa_eval_ctx_set_entrypoint(ctx, entrypoint);
    const started = performance.now();
    this.x.eval(ctx);
    return (performance.now() - started) * 1000;
  }
}
