/**
 * The PolicyEngine: corpusEngine (the corpus plus the published policies, cached module, a pool of
 * worker threads or the calling thread), draftEngine (one untrusted draft with the corpus library,
 * scanned and compiled in the sandbox, evaluated in a limited worker) and sharedCorpusEngine (one
 * engine per configuration for many small calls, rebuilt when a policy changes).
 *
 * Params go to data.kpc.params (only when given, as the `opa eval` oracle writes them), the
 * inventory to data.inventory (default: datasets/fixtures/inventory.json's).
 */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { INVENTORY_FILE } from '../../datasets/paths';
import { sha256 } from '../../lib/digest';
import { type BuildConfig, buildCorpusBundle, compileModule, corpusPlan, opaStamp, readModule } from './bundle';
import { EngineCompileError, EngineError } from './errors';
import { type Batch, Evaluator, type ModulePlan } from './evaluator';
import { type BatchRunner, LocalRunner, WorkerPool } from './pool';
import { assertSandboxed, type SandboxConfig, sandboxLimits, sandboxOptions } from './sandbox';
import { aggregateSource, librarySources, modulePlan, policySource, sourcesDigest } from './sources';

export type EngineConfig = BuildConfig & SandboxConfig;

export interface EvaluateOptions {
  /** only these policy ids (an unknown id is an error) */
  policies?: readonly string[];
  /** data.kpc.params: policy id → parameter → value */
  params?: Record<string, Record<string, unknown>>;
  /** data.inventory (same shape as datasets/fixtures/inventory.json's "inventory") */
  inventory?: unknown;
  /** data.kpc.admission: the admission request a manifest is judged in (the admission webhook) */
  admission?: { operation: string; old_object?: unknown };
}

export interface ManifestVerdict {
  /** policy id → messages, sorted; only denying policies */
  denied: Record<string, string[]>;
  /** per-policy evaluation time (µs) when this manifest was sampled */
  timingsUs?: Record<string, number>;
  /** policy id → how many of its messages were not strings (shown as their JSON in `denied`) */
  malformed?: Record<string, number>;
  /** policy id → why it could not evaluate this manifest (it aborted: e.g. a rule that took two values); the others stand */
  failed?: Record<string, string>;
}

export interface PolicyEngine {
  readonly corpusDigest: string;
  readonly policyIds: readonly string[];
  evaluate(manifests: readonly unknown[], options?: EvaluateOptions): Promise<ManifestVerdict[]>;
  close(): Promise<void>;
}

let defaultInventory: unknown;
function inventoryOf(options: EvaluateOptions): unknown {
  if (options.inventory !== undefined) return options.inventory;
  defaultInventory ??= (JSON.parse(readFileSync(INVENTORY_FILE, 'utf8')) as { inventory: unknown }).inventory;
  return defaultInventory;
}

/**
 * The data document (parameters + inventory) as JSON and its digest, memoised per inventory object
 * and parameters: a big inventory is serialised and hashed once per analysis, not once per batch.
 */
const dataDocuments = new WeakMap<object, Map<string, { data: string; dataKey: string }>>();
function dataDocument(options: EvaluateOptions): { data: string; dataKey: string } {
  const inventory = inventoryOf(options);
  const params = options.params && Object.keys(options.params).length > 0 ? { kpc: { params: options.params } } : {};
  const paramsText = JSON.stringify(params);
  const make = () => {
    const kpc = options.admission ? { kpc: { ...(params as { kpc?: object }).kpc, admission: options.admission } } : params;
    const data = JSON.stringify({ ...kpc, inventory });
    return { data, dataKey: sha256(data) };
  };
  // an admission request is one of a kind: not memoised
  if (inventory === null || typeof inventory !== 'object' || options.admission) return make();
  let byParams = dataDocuments.get(inventory);
  if (!byParams) {
    byParams = new Map();
    dataDocuments.set(inventory, byParams);
  }
  let document = byParams.get(paramsText);
  if (!document) {
    document = make();
    byParams.set(paramsText, document);
  }
  return document;
}

const encoder = new TextEncoder();

/** Manifests [from, to) as one standalone buffer of JSON texts with offsets. */
function encode(manifests: readonly unknown[], from: number, to: number): { inputs: Uint8Array; offsets: number[] } {
  const parts: Uint8Array[] = [];
  const offsets = [0];
  let total = 0;
  for (let i = from; i < to; i++) {
    const text = JSON.stringify(manifests[i]);
    if (text === undefined) throw new EngineError(`manifest #${i} is not a JSON value`);
    const bytes = encoder.encode(text);
    parts.push(bytes);
    total += bytes.length;
    offsets.push(total);
  }
  const inputs = new Uint8Array(total);
  parts.forEach((bytes, k) => {
    inputs.set(bytes, offsets[k] as number);
  });
  return { inputs, offsets };
}

class WasmEngine implements PolicyEngine {
  private sampleCounter = 0;

  constructor(
    readonly corpusDigest: string,
    readonly policyIds: readonly string[],
    private readonly runner: BatchRunner,
    private readonly threads: number,
    private readonly sampleEvery: number,
  ) {}

  async evaluate(manifests: readonly unknown[], options: EvaluateOptions = {}): Promise<ManifestVerdict[]> {
    const selected = options.policies ? [...new Set(options.policies)] : undefined;
    const unknown = selected?.filter((id) => !this.policyIds.includes(id)) ?? [];
    if (unknown.length)
      throw new EngineError(`unknown policy id(s): ${unknown.join(', ')} (the engine has ${this.policyIds.length} policies)`);
    if (manifests.length === 0) return [];
    const { data, dataKey } = dataDocument(options);
    // few policies: their own entrypoints; many: the aggregate, filtered afterwards
    const perPolicy = selected && selected.length * 4 <= this.policyIds.length ? selected : undefined;
    const keep = selected && !perPolicy ? new Set(selected) : undefined;

    // on the calling thread: batches of 512, so that a long evaluation lets other work in between
    const chunk = this.threads === 0 ? 512 : Math.min(256, Math.max(1, Math.ceil(manifests.length / (this.threads * 4))));
    const jobs: Promise<ManifestVerdict[]>[] = [];
    for (let start = 0; start < manifests.length; start += chunk) {
      const end = Math.min(manifests.length, start + chunk);
      const sample: number[] = [];
      if (this.sampleEvery > 0) {
        for (let i = start; i < end; i++) if (this.sampleCounter++ % this.sampleEvery === 0) sample.push(i - start);
      }
      const batch: Batch = { ...encode(manifests, start, end), dataKey, data, policies: perPolicy, sample };
      jobs.push(this.runner.run(batch));
    }
    const verdicts = (await Promise.all(jobs)).flat();
    if (!keep) return verdicts;
    return verdicts.map((v) => {
      const out: ManifestVerdict = { denied: Object.fromEntries(Object.entries(v.denied).filter(([id]) => keep.has(id))) };
      if (v.timingsUs) out.timingsUs = Object.fromEntries(Object.entries(v.timingsUs).filter(([id]) => keep.has(id)));
      if (v.malformed) out.malformed = Object.fromEntries(Object.entries(v.malformed).filter(([id]) => keep.has(id)));
      if (v.failed) out.failed = Object.fromEntries(Object.entries(v.failed).filter(([id]) => keep.has(id)));
      return out;
    });
  }

  close(): Promise<void> {
    return this.runner.close();
  }
}

export interface CorpusEngineOptions {
  /** worker threads (default: the config's engine.threads, else the number of cores); 0 = the calling thread */
  threads?: number;
  /** time every policy on one manifest in N (default 100; 0 = never) */
  sampleTimingEvery?: number;
  /** with the published policies (default true); false: the committed corpus alone (reproducible labels) */
  includePublished?: boolean;
  /** another corpus directory (benchmarks of an older corpus) */
  policiesDir?: string;
}

async function runnerFor(module: WebAssembly.Module, plan: ModulePlan, threads: number, stateDir: string): Promise<BatchRunner> {
  if (threads === 0) return new LocalRunner(new Evaluator(module, plan));
  return WorkerPool.create({ module, plan, threads, stateDir });
}

/** The corpus and the published policies, from the cached module (built when a policy changed). */
export async function corpusEngine(config: EngineConfig, options: CorpusEngineOptions = {}): Promise<PolicyEngine> {
  const bundle = await buildCorpusBundle(config, { includePublished: options.includePublished, policiesDir: options.policiesDir });
  const module = await WebAssembly.compile(readModule(bundle.wasmFile));
  const threads = Math.max(0, Math.floor(options.threads ?? (config.engine?.threads || availableParallelism())));
  const runner = await runnerFor(module, bundle.plan, threads, config.stateDir);
  return new WasmEngine(bundle.digest, bundle.policyIds, runner, threads, options.sampleTimingEvery ?? 100);
}

/**
 * An untrusted draft (policy + optional tests) with the corpus library: both files are scanned for
 * refused built-ins before anything runs (EngineRefusedError, naming file:line), the module is
 * compiled with the sandbox capabilities by a memory- and time-capped `opa build`, and evaluation
 * runs in one worker thread with a wasm memory cap, V8 heap limits and a time limit per batch
 * (EngineLimitError). A built-in the engine does not provide is refused at compile time.
 */
export async function draftEngine(config: EngineConfig, draft: { id: string; policy: string; tests?: string }): Promise<PolicyEngine> {
  const policyName = `${draft.id}/policy.rego`;
  const files = [{ name: policyName, text: draft.policy }];
  if (draft.tests !== undefined) files.push({ name: `${draft.id}/policy_test.rego`, text: draft.tests });
  await assertSandboxed(config, files);

  const source = { ...policySource(policyName, draft.policy, 'draft', `policies/${draft.id}/policy.rego`), id: draft.id };
  const sources = { library: librarySources(), policies: [source] };
  if (source.packagePath.startsWith('kpc.lib.') || source.packagePath.startsWith('kpc.engine')) {
    throw new EngineCompileError(`${policyName}: package ${source.packagePath} is reserved`, [
      `${policyName}: package ${source.packagePath} is reserved`,
    ]);
  }
  const generated = aggregateSource(sources.policies);
  const plan = modulePlan(sources.policies);
  const sandbox = await sandboxOptions(config);
  const bytes = await compileModule(config, {
    sources,
    generated,
    plan,
    capabilities: sandbox.capabilities,
    memoryLimitBytes: sandbox.memoryLimitBytes,
    timeoutMs: sandbox.timeoutMs,
  });
  const module = await WebAssembly.compile(bytes);
  const limits = sandboxLimits(config);
  const memoryMb = Math.ceil(limits.memoryBytes / 1048576);
  const runner = await WorkerPool.create({
    module,
    plan,
    threads: 1,
    stateDir: config.stateDir,
    maxMemoryPages: Math.ceil(limits.memoryBytes / 65536),
    resourceLimits: { maxOldGenerationSizeMb: Math.max(64, Math.ceil(memoryMb / 2)), maxYoungGenerationSizeMb: 16, stackSizeMb: 4 },
    timeoutMs: limits.timeoutMs,
  });
  const digest = sourcesDigest(sources, generated, [opaStamp(config.opa.path), 'draft']);
  return new WasmEngine(digest, [draft.id], runner, 1, 0);
}

interface SharedEntry {
  engine: Promise<PolicyEngine>;
  digest: string;
  checkedAt: number;
}

const shared = new Map<string, SharedEntry>();
const RECHECK_MS = 2000;

/**
 * One engine per configuration for many small evaluations (troubleshooting, fix verification,
 * labelling): evaluated on the calling thread unless `threads` says otherwise; re-reads the
 * sources at most every 2 s and swaps in a rebuilt engine when a policy changed.
 */
export async function sharedCorpusEngine(config: EngineConfig, options: CorpusEngineOptions = {}): Promise<PolicyEngine> {
  const includePublished = options.includePublished ?? true;
  const key = [
    config.stateDir,
    config.drafting.publish.mode,
    config.drafting.publish.dir,
    config.opa.path,
    options.threads ?? 0,
    includePublished,
    options.policiesDir ?? '',
  ].join('\u0000');
  const entry = shared.get(key);
  const now = Date.now();
  if (entry && now - entry.checkedAt < RECHECK_MS) return entry.engine;
  const { digest } = corpusPlan(config, includePublished, options.policiesDir);
  if (entry && entry.digest === digest) {
    entry.checkedAt = now;
    return entry.engine;
  }
  const engine = corpusEngine(config, { threads: 0, sampleTimingEvery: 0, ...options });
  const next: SharedEntry = { engine, digest, checkedAt: now };
  shared.set(key, next);
  engine.catch(() => {
    if (shared.get(key) === next) shared.delete(key);
  });
  if (entry) {
    // the old engine may still serve an evaluation in flight: close it once that had time to end
    void entry.engine.then((old) => setTimeout(() => void old.close(), 60_000).unref()).catch(() => {});
  }
  return engine;
}
