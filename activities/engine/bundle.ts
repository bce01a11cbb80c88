/**
 * Compiling Rego to the engine's wasm module: the sources are written to a fresh directory,
 * `opa build -t wasm` compiles the aggregate entrypoint and one entrypoint per policy, and
 * policy.wasm is taken out of the bundle archive. The corpus module is cached as
 * $PAC_STATE_DIR/engine/<digest>.wasm (the digest covers every Rego file, the generated aggregate
 * and the opa binary), written to a temporary name and renamed, so concurrent builders never leave
 * a torn file; older modules beyond the last few are removed.
 *
 * buildCorpusBundle is exported for install and CI to prebuild the module.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { formatOpaErrorDetail, OpaCompileError, opaBuild } from '../opa/opa';
import { MissingBuiltinsError, WasmPolicy } from './abi';
import { rewriteJsonMarshal } from './builtins/go-json';
import { sandboxCapabilities } from './capabilities';
import { EngineCompileError } from './errors';
import type { ModulePlan } from './evaluator';
import {
  AGGREGATE_ENTRYPOINT,
  aggregateSource,
  corpusSources,
  type EngineSources,
  modulePlan,
  type RegoSource,
  type SourceConfig,
  sourcesDigest,
} from './sources';

export type BuildConfig = Pick<Config, 'opa' | 'stateDir'> & SourceConfig;

export interface BuildOptions {
  /** how many cached modules to keep (default 4) */
  keep?: number;
  /** compile the published policies too (default true); false: the committed corpus alone */
  includePublished?: boolean;
  /** another policy corpus directory (benchmarks of an older corpus; default datasets/policies) */
  policiesDir?: string;
}

export interface CorpusBundle {
  digest: string;
  wasmFile: string;
  plan: ModulePlan;
  policyIds: string[];
  /** false when the cached module was used */
  built: boolean;
}

/** Size, mtime and path of the opa binary: a different binary gives a different digest. */
export function opaStamp(opaPath: string): string {
  const stat = statSync(opaPath, { throwIfNoEntry: false });
  if (!stat) throw new EngineCompileError(`the OPA binary ${opaPath} was not found; run \`npm run install:engines\``, []);
  return `${opaPath}\u0000${stat.size}\u0000${stat.mtimeMs}`;
}

/** The file `name` of a tar archive (ustar), or undefined. */
export function tarEntry(archive: Buffer, name: string): Buffer | undefined {
  let offset = 0;
  while (offset + 512 <= archive.length) {
    const header = archive.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) return undefined;
    const field = (start: number, length: number) =>
      header
        .subarray(start, start + length)
        .toString('utf8')
        .replace(/\0.*$/s, '');
    const prefix = field(345, 155);
    const entryName = (prefix ? `${prefix}/` : '') + field(0, 100);
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const type = String.fromCharCode(header[156] ?? 0);
    const body = offset + 512;
    if ((type === '0' || type === '\0') && entryName.replace(/^\.?\//, '') === name) return archive.subarray(body, body + size);
    offset = body + Math.ceil(size / 512) * 512;
  }
  return undefined;
}

/** Where a built-in is called in the sources, as file:line. */
function callSites(sources: readonly RegoSource[], builtin: string): string[] {
  const out: string[] = [];
  const pattern = new RegExp(`(^|[^A-Za-z0-9_.])${builtin.replaceAll('.', '\\.')}\\s*\\(`);
  for (const source of sources) {
    source.text.split('\n').forEach((line, i) => {
      if (pattern.test(line.replace(/#.*$/, ''))) out.push(`${source.file}:${i + 1}`);
    });
  }
  return out;
}

export interface CompileInput {
  sources: EngineSources;
  generated: string;
  plan: ModulePlan;
  /** the capabilities file: the engine's (corpus) or the sandbox's (drafts); both declare the host's own built-ins */
  capabilities: string;
  /** sandbox: limits for the opa process */
  memoryLimitBytes?: number;
  timeoutMs?: number;
}

/** Compiles to wasm bytes; throws EngineCompileError naming the file:line (or the built-in we lack). */
export async function compileModule(config: Pick<Config, 'opa'>, input: CompileInput): Promise<Uint8Array<ArrayBuffer>> {
  const all = [...input.sources.library, ...input.sources.policies];
  const dir = await mkdtemp(join(tmpdir(), 'pac-engine-'));
  try {
    const names: string[] = [];
    for (const source of [...all, { file: 'kpc_engine.rego', name: 'kpc_engine.rego', text: input.generated }]) {
      await mkdir(dirname(join(dir, source.name)), { recursive: true });
      // json.marshal → the host's Go-exact one (OPA's native wasm one differs from opa eval)
      await writeFile(join(dir, source.name), rewriteJsonMarshal(source.text), 'utf8');
      names.push(source.name);
    }
    try {
      await opaBuild({
        opa: config.opa,
        target: 'wasm',
        entrypoints: [input.plan.aggregate, ...Object.values(input.plan.policies)],
        output: 'bundle.tar.gz',
        paths: names,
        cwd: dir,
        capabilities: input.capabilities,
        memoryLimitBytes: input.memoryLimitBytes,
        timeoutMs: input.timeoutMs ?? Math.max(config.opa.timeoutMs, 120_000),
      });
    } catch (error) {
      if (!(error instanceof OpaCompileError)) throw error;
      const where = new Map(all.map((s) => [s.name, s.file]));
      const details = error.errors.map((e) => formatOpaErrorDetail({ ...e, file: e.file ? (where.get(e.file) ?? e.file) : e.file }));
      throw new EngineCompileError(`the policies do not compile to the engine's module:\n  ${details.join('\n  ')}`, details);
    }
    const wasm = tarEntry(gunzipSync(await readFile(join(dir, 'bundle.tar.gz'))), 'policy.wasm');
    if (!wasm) throw new EngineCompileError('opa build wrote no policy.wasm', []);
    const bytes = new Uint8Array(wasm);
    await checkBuiltins(bytes, all);
    return bytes;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Refuses a module that needs a host built-in we do not implement, naming where it is called. */
async function checkBuiltins(bytes: Uint8Array<ArrayBuffer>, sources: readonly RegoSource[]): Promise<void> {
  try {
    await WasmPolicy.instantiate(await WebAssembly.compile(bytes));
  } catch (error) {
    if (!(error instanceof MissingBuiltinsError)) throw error;
    const details = error.builtins.map((b) => {
      const sites = callSites(sources, b);
      return `${sites.length ? `${sites.join(', ')}: ` : ''}${b} is not supported by the engine (not native to OPA's WebAssembly and not implemented by its host)`;
    });
    throw new EngineCompileError(`refused at compile time:\n  ${details.join('\n  ')}`, details);
  }
}

function prune(dir: string, keep: number, current: string): void {
  const modules = readdirSync(dir)
    .filter((name) => /^[0-9a-f]{64}\.wasm$/.test(name))
    .map((name) => ({ name, mtime: statSync(join(dir, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const { name } of modules.slice(keep)) if (join(dir, name) !== current) rmSync(join(dir, name), { force: true });
}

/** What the corpus module is made of now (sources re-read) and the digest it is cached under. */
export function corpusPlan(
  config: BuildConfig,
  includePublished = true,
  policiesDir?: string,
): { sources: EngineSources; generated: string; plan: ModulePlan; digest: string } {
  const sources = corpusSources(config, includePublished, policiesDir);
  const generated = aggregateSource(sources.policies);
  const plan = modulePlan(sources.policies);
  const digest = sourcesDigest(sources, generated, [opaStamp(config.opa.path), AGGREGATE_ENTRYPOINT]);
  return { sources, generated, plan, digest };
}

/** The corpus (+ published) module: from the cache when its digest is there, built otherwise. */
export async function buildCorpusBundle(config: BuildConfig, options: BuildOptions = {}): Promise<CorpusBundle> {
  const { sources, generated, plan, digest } = corpusPlan(config, options.includePublished ?? true, options.policiesDir);
  const dir = join(config.stateDir, 'engine');
  const wasmFile = join(dir, `${digest}.wasm`);
  const bundle = { digest, wasmFile, plan, policyIds: sources.policies.map((p) => p.id) };
  if (existsSync(wasmFile)) return { ...bundle, built: false };
  const { engineFile } = await sandboxCapabilities(config);
  const bytes = await compileModule(config, { sources, generated, plan, capabilities: engineFile });
  writeAtomic(wasmFile, bytes);
  prune(dir, options.keep ?? 4, wasmFile);
  return { ...bundle, built: true };
}

/** Reads a cached module (its bytes). */
export function readModule(file: string): Uint8Array<ArrayBuffer> {
  return new Uint8Array(readFileSync(file));
}
