/**
 * What goes into a compiled module: the corpus library, the corpus policies, the published ones
 * (dir mode: <publish dir>/policies/<id>/policy.rego; a published policy with a corpus id replaces
 * it) or a draft, plus the generated aggregate entrypoint. A policy's id is its package key
 * (kpc.policies.<key>) with "_" as "-", as the `opa eval` oracle names them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { corpusRegoFiles } from '../../datasets/load';
import { POLICIES_DIR } from '../../datasets/paths';
import { sha256 } from '../../lib/digest';
import { EngineCompileError } from './errors';
import type { ModulePlan } from './evaluator';

export interface RegoSource {
  /** where it came from (for messages) */
  file: string;
  /** its name inside the build directory */
  name: string;
  text: string;
}

export interface PolicySource extends RegoSource {
  id: string;
  packagePath: string;
  origin: 'corpus' | 'published' | 'draft';
}

export interface EngineSources {
  library: RegoSource[];
  policies: PolicySource[];
}

/** Bump when the generated source or the bundle layout changes: cached modules are then rebuilt. */
export const ENGINE_FORMAT = 'kpc-engine/2';
export const AGGREGATE_PACKAGE = 'kpc.engine';
export const AGGREGATE_ENTRYPOINT = 'kpc/engine/denials';

const PACKAGE_LINE = /^[ \t]*package[ \t]+([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)[ \t]*(?:#.*)?$/m;

/** The package path declared by a Rego file (the first `package` line), or undefined. */
export function packageOf(text: string): string | undefined {
  const withoutComments = text.replace(/^[ \t]*#.*$/gm, '');
  return PACKAGE_LINE.exec(withoutComments)?.[1];
}

export const policyIdOfPackage = (packagePath: string) => (packagePath.split('.').pop() as string).replaceAll('_', '-');

/** Reads one policy file as a PolicySource, checking its package is kpc.policies.<key>. */
export function policySource(file: string, text: string, origin: PolicySource['origin'], name?: string): PolicySource {
  const packagePath = packageOf(text);
  if (!packagePath) throw new EngineCompileError(`${file}: no package declaration`, [`${file}:1: no package declaration`]);
  const segments = packagePath.split('.');
  if (segments.length !== 3 || segments[0] !== 'kpc' || segments[1] !== 'policies') {
    throw new EngineCompileError(`${file}: package ${packagePath} is not kpc.policies.<name>`, [
      `${file}: a policy's package must be kpc.policies.<name> (got ${packagePath})`,
    ]);
  }
  const id = policyIdOfPackage(packagePath);
  return { file, name: name ?? `policies/${id}/policy.rego`, text, id, packagePath, origin };
}

/** The corpus library files (datasets/policies/lib). */
export function librarySources(dir = POLICIES_DIR): RegoSource[] {
  return corpusRegoFiles(dir)
    .filter((file) => relative(dir, file).startsWith(`lib${'/'}`))
    .map((file) => ({ file, name: relative(dir, file), text: readFileSync(file, 'utf8') }));
}

/** The published policies of dir mode: <dir>/policies/<folder>/policy.rego. */
export function publishedSources(publishDir: string): PolicySource[] {
  const root = join(publishDir, 'policies');
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => !name.startsWith('.') && statSync(join(root, name)).isDirectory() && existsSync(join(root, name, 'policy.rego')))
    .sort()
    .map((folder) => {
      const file = join(root, folder, 'policy.rego');
      const source = policySource(file, readFileSync(file, 'utf8'), 'published');
      if (source.id !== folder) {
        throw new EngineCompileError(`${file}: package ${source.packagePath} does not match its folder ${folder}`, [
          `${file}: the package of published policy ${folder} must be kpc.policies.${folder.replaceAll('-', '_')}`,
        ]);
      }
      return source;
    });
}

export interface SourceConfig {
  drafting: { publish: { mode: 'dir' | 'git'; dir: string } };
}

/** The corpus plus (unless told otherwise) the published policies; a published id replaces the corpus policy of that id. */
export function corpusSources(config: SourceConfig, includePublished = true, dir = POLICIES_DIR): EngineSources {
  const library = librarySources(dir);
  const byId = new Map<string, PolicySource>();
  for (const file of corpusRegoFiles(dir)) {
    if (relative(dir, file).startsWith(`lib${'/'}`)) continue;
    const source = policySource(file, readFileSync(file, 'utf8'), 'corpus');
    const existing = byId.get(source.id);
    if (existing) {
      throw new EngineCompileError(`${file}: package ${source.packagePath} is also declared by ${existing.file}`, [
        `${file}: two corpus policies declare package ${source.packagePath}`,
      ]);
    }
    byId.set(source.id, source);
  }
  if (includePublished && config.drafting.publish.mode === 'dir') {
    for (const source of publishedSources(config.drafting.publish.dir)) byId.set(source.id, source);
  }
  return { library, policies: [...byId.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)) };
}

/** The generated aggregate: `denials[id]` is a policy's deny set when it is not empty. */
export function aggregateSource(policies: readonly PolicySource[]): string {
  const rules = policies.map((p) => `denials[${JSON.stringify(p.id)}] := d if {\n\td := data.${p.packagePath}.deny\n\tcount(d) > 0\n}\n`);
  return `# generated by activities/engine/sources.ts (${ENGINE_FORMAT}): do not edit\npackage ${AGGREGATE_PACKAGE}\n\nimport rego.v1\n\n${rules.join('\n')}`;
}

/** Entrypoint names: the aggregate and one per policy. */
export function modulePlan(policies: readonly PolicySource[]): ModulePlan {
  return {
    aggregate: AGGREGATE_ENTRYPOINT,
    policies: Object.fromEntries(policies.map((p) => [p.id, `${p.packagePath.replaceAll('.', '/')}/deny`])),
  };
}

/** The digest a compiled module is cached under: every Rego file, the generated source, the opa binary and the extra inputs. */
export function sourcesDigest(sources: EngineSources, generated: string, extra: readonly string[]): string {
  const parts = [ENGINE_FORMAT, ...extra];
  for (const source of [...sources.library, ...sources.policies]) parts.push(source.name, source.text);
  parts.push(generated);
  return sha256(parts.join('\u0000'));
}
