/**
 * The one sandbox for untrusted Rego (drafts, LLM output, linted files):
 *
 * 1. scanRego: every file — the policy AND its tests — is parsed (`opa parse`, which evaluates
 *    nothing) and every call or reference to a refused built-in (capabilities.ts) is reported with
 *    file:line, before anything is evaluated;
 * 2. sandboxOptions: what every opa check/test/build of untrusted code runs with — the sandbox
 *    capabilities file, an empty environment (activities/opa/run.ts gives every opa process one),
 *    a timeout and a memory cap (prlimit --data);
 * 3. wasm evaluation of untrusted code runs in a worker thread with a wasm memory cap, V8 heap
 *    limits and a timeout (engine.ts draftEngine, pool.ts).
 */
import type { Config } from '../../infra/config';
import { opaParse } from '../opa/opa';
import { sandboxCapabilities } from './capabilities';
import { EngineRefusedError, type Refusal } from './errors';

/** The limits of untrusted code; the engine section of the config may override them. */
export const SANDBOX_DEFAULTS = { timeoutMs: 30_000, memoryMb: 512 };

export interface EngineSettings {
  /** pool size for corpusEngine (0 or absent: the number of cores) */
  threads?: number;
  sandboxTimeoutMs?: number;
  sandboxMemoryMb?: number;
}

export type SandboxConfig = Pick<Config, 'opa' | 'stateDir'> & { engine?: EngineSettings };

export interface SandboxOptions {
  opa: Config['opa'];
  /** the capabilities.json path for --capabilities */
  capabilities: string;
  timeoutMs: number;
  memoryLimitBytes: number;
}

/** The Go runtime of opa does not start with a data segment much below this. */
const OPA_PROCESS_FLOOR_MB = 256;

/** The limits: `memoryBytes` for wasm evaluation, `processMemoryBytes` (≥ 256 MiB) for an opa process. */
export function sandboxLimits(config: SandboxConfig): { timeoutMs: number; memoryBytes: number; processMemoryBytes: number } {
  const memoryMb = config.engine?.sandboxMemoryMb ?? SANDBOX_DEFAULTS.memoryMb;
  return {
    timeoutMs: config.engine?.sandboxTimeoutMs ?? SANDBOX_DEFAULTS.timeoutMs,
    memoryBytes: memoryMb * 1024 * 1024,
    processMemoryBytes: Math.max(memoryMb, OPA_PROCESS_FLOOR_MB) * 1024 * 1024,
  };
}

/** Options for opaCheck/opaTest/opaBuild/opaParse of untrusted Rego. */
export async function sandboxOptions(config: SandboxConfig): Promise<SandboxOptions> {
  const capabilities = await sandboxCapabilities(config);
  const limits = sandboxLimits(config);
  return { opa: config.opa, capabilities: capabilities.file, timeoutMs: limits.timeoutMs, memoryLimitBytes: limits.processMemoryBytes };
}

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Every dotted name a ref spells (each prefix: `opa.runtime().env` names opa and opa.runtime), with its row. */
export function referencedNames(ast: unknown): { name: string; row: number }[] {
  const out: { name: string; row: number }[] = [];
  const visit = (node: unknown) => {
    if (Array.isArray(node)) {
      for (const item of node) visit(item);
      return;
    }
    if (!isNode(node)) return;
    if (node.type === 'ref' && Array.isArray(node.value)) {
      const parts = node.value as Node[];
      const head = parts[0];
      if (isNode(head) && head.type === 'var') {
        const row = Number((node.location as Node | undefined)?.row ?? (head.location as Node | undefined)?.row ?? 0);
        let name = String(head.value);
        out.push({ name, row });
        for (const part of parts.slice(1)) {
          if (!isNode(part) || part.type !== 'string') break;
          name += `.${String(part.value)}`;
          out.push({ name, row });
        }
      }
    }
    for (const value of Object.values(node)) visit(value);
  };
  visit(ast);
  return out;
}

/**
 * The refused built-ins the files call or reference, with file:line; [] when none. Throws
 * OpaCompileError when a file does not parse (nothing was evaluated either way).
 */
export async function scanRego(config: SandboxConfig, files: readonly { name: string; text: string }[]): Promise<Refusal[]> {
  const capabilities = await sandboxCapabilities(config);
  const limits = sandboxLimits(config);
  const refusals: Refusal[] = [];
  for (const file of files) {
    const { ast } = await opaParse({
      opa: config.opa,
      source: file.text,
      filename: file.name,
      locations: true,
      timeoutMs: limits.timeoutMs,
      memoryLimitBytes: limits.processMemoryBytes,
    });
    const seen = new Set<string>();
    for (const { name, row } of referencedNames(ast)) {
      const reason = capabilities.refused.get(name);
      const key = `${name}:${row}`;
      if (!reason || seen.has(key)) continue;
      seen.add(key);
      refusals.push({ builtin: name, file: file.name, line: row, reason });
    }
  }
  return refusals.sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

/** scanRego, throwing EngineRefusedError when anything is refused. */
export async function assertSandboxed(config: SandboxConfig, files: readonly { name: string; text: string }[]): Promise<void> {
  const refusals = await scanRego(config, files);
  if (refusals.length) throw new EngineRefusedError(refusals);
}
