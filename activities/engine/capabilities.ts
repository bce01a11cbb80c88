/**
 * The sandbox's capabilities: `opa capabilities --current` minus every built-in that reaches the
 * network, the runtime or the environment, reads the clock, or draws random numbers; plus
 * `allow_net: []`. The file is passed with --capabilities to every opa check/test/build of
 * untrusted Rego, and the same list refuses a draft's calls before anything runs (sandbox.ts).
 *
 * Decided: net.cidr_* stay (pure address arithmetic; only net.lookup_ip_addr touches the network),
 * and so do the time.* built-ins that only compute on their arguments (time.parse_rfc3339_ns, …).
 * Every built-in OPA itself marks `nondeterministic` is refused too, also those added by a later
 * OPA release. (The linter's nondeterministic-builtin rule is stricter on purpose: a policy should
 * not depend on time.* or net.* at all; the sandbox is about what untrusted code can reach.)
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../infra/config';
import { writeAtomic } from '../../lib/atomic';
import { sha256 } from '../../lib/digest';
import { runOpa } from '../opa/run';
import { CUSTOM_BUILTINS } from './builtins';
import { EngineError } from './errors';

export const SANDBOX_REFUSED_BUILTINS: readonly { pattern: RegExp; reason: string }[] = [
  { pattern: /^http\.send$/, reason: 'network access' },
  { pattern: /^net\.lookup_ip_addr$/, reason: 'network access (DNS)' },
  { pattern: /^json\.(match|verify)_schema$/, reason: 'schemas may reference remote documents' },
  { pattern: /^opa\.runtime$/, reason: 'reads the OPA runtime and the process environment' },
  { pattern: /^time\.now_ns$/, reason: 'reads the clock' },
  { pattern: /^io\.jwt\.decode_verify$/, reason: 'reads the clock' },
  { pattern: /^crypto\.x509\.parse_and_verify_certificates/, reason: 'reads the clock' },
  { pattern: /^rand\./, reason: 'random' },
  { pattern: /^uuid\.rfc4122$/, reason: 'random' },
  { pattern: /^io\.jwt\.encode_sign(_raw)?$/, reason: 'random (signing)' },
];

/** Why the sandbox refuses a built-in (by this list alone), or undefined. */
export function sandboxRefusal(name: string): string | undefined {
  return SANDBOX_REFUSED_BUILTINS.find((entry) => entry.pattern.test(name))?.reason;
}

interface CapabilitiesDocument {
  builtins: { name: string; nondeterministic?: boolean }[];
  [key: string]: unknown;
}

export interface SandboxCapabilities {
  /** the sandbox's capabilities.json (untrusted Rego) */
  file: string;
  /** every OPA built-in plus the engine's own (CUSTOM_BUILTINS): what the corpus module is built with */
  engineFile: string;
  /** every built-in of this OPA release */
  all: ReadonlySet<string>;
  /** refused built-in → why */
  refused: ReadonlyMap<string, string>;
}

const cache = new Map<string, Promise<SandboxCapabilities>>();

async function generate(config: Pick<Config, 'opa' | 'stateDir'>, key: string): Promise<SandboxCapabilities> {
  const file = join(config.stateDir, 'engine', `capabilities-${key}.json`);
  const engineFile = join(config.stateDir, 'engine', `capabilities-${key}-engine.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
    readFileSync(engineFile);
  } catch {
    const result = await runOpa({ path: config.opa.path, args: ['capabilities', '--current'], timeoutMs: config.opa.timeoutMs });
    if (result.exitCode !== 0) throw new EngineError(`opa capabilities --current failed: ${result.stderr.trim()}`);
    const current = JSON.parse(result.stdout) as CapabilitiesDocument;
    const refused = new Set(current.builtins.filter((b) => b.nondeterministic || sandboxRefusal(b.name)).map((b) => b.name));
    const own = CUSTOM_BUILTINS as unknown as CapabilitiesDocument['builtins'];
    writeAtomic(engineFile, `${JSON.stringify({ ...current, builtins: [...current.builtins, ...own] }, null, 1)}\n`);
    const sandboxed = { ...current, builtins: [...current.builtins.filter((b) => !refused.has(b.name)), ...own], allow_net: [] };
    text = `${JSON.stringify({ refused: [...refused].sort(), ...sandboxed }, null, 1)}\n`;
    writeAtomic(file, text);
  }
  const doc = JSON.parse(text) as CapabilitiesDocument & { refused: string[] };
  const all = new Set([...doc.builtins.map((b) => b.name), ...doc.refused]);
  const refused = new Map(doc.refused.map((name) => [name, sandboxRefusal(name) ?? 'marked non-deterministic by OPA']));
  return { file, engineFile, all, refused };
}

/**
 * The sandbox capabilities for the configured opa binary, generated once into
 * $PAC_STATE_DIR/engine/capabilities-<key>.json (key: the binary and this module's list).
 */
export function sandboxCapabilities(config: Pick<Config, 'opa' | 'stateDir'>): Promise<SandboxCapabilities> {
  let stamp: string;
  try {
    const stat = statSync(config.opa.path);
    stamp = `${config.opa.path}\u0000${stat.size}\u0000${stat.mtimeMs}`;
  } catch (error) {
    return Promise.reject(
      new EngineError(`the OPA binary ${config.opa.path} was not found; run \`npm run install:engines\``, { cause: error }),
    );
  }
  const rules = SANDBOX_REFUSED_BUILTINS.map((e) => `${e.pattern.source}=${e.reason}`).join('\n');
  const key = sha256(`${stamp}\u0000${rules}\u0000${JSON.stringify(CUSTOM_BUILTINS)}`).slice(0, 16);
  const cacheKey = `${config.stateDir}\u0000${key}`;
  let entry = cache.get(cacheKey);
  if (!entry) {
    entry = generate(config, key);
    entry.catch(() => cache.delete(cacheKey));
    cache.set(cacheKey, entry);
  }
  return entry;
}
