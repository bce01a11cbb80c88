/**
 * `pac export gatekeeper <dir>`: every corpus policy as a Gatekeeper ConstraintTemplate and a
 * Constraint (gatekeeper.ts), plus the sync Config the cross-object policies need.
 *
 *   <dir>/templates/<kind lowercase>.yaml    ConstraintTemplate (entry module + libs)
 *   <dir>/constraints/<policy id>.yaml       Constraint (kinds, default parameters, deny or warn)
 *   <dir>/sync.yaml                          config.gatekeeper.sh Config: what data.inventory holds
 *
 * The Rego is moved under `lib.` by its AST (relocate.ts, `opa parse`), and every generated
 * module is compiled once with `opa check` before anything is written; then each file is written
 * atomically. Nothing is skipped: inventory policies read Gatekeeper's data.inventory (synced kinds
 * in sync.yaml), admission-only policies read input.review.operation / oldObject (they never fire
 * in Gatekeeper's audit, which has no old object — as in `pac analyze`).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { loadPolicyIndex } from '../../datasets/load';
import { effectiveParams, loadParams } from '../../datasets/params';
import { INVENTORY_FILE, POLICIES_DIR } from '../../datasets/paths';
import type { PolicyMeta } from '../../datasets/schemas';
import type { Config } from '../../infra/config';
import { writeAtomicAsync } from '../../lib/atomic';
import { opaCheck, opaParse } from '../opa/opa';
import { constraint, constraintKind, constraintTemplate, type ExportSeverity, entryRego, syncConfig } from './gatekeeper';
import { CORPUS_ROOT, relocateModule } from './relocate';

export { constraintKind, entryPackage, entryRego, GATEKEEPER_TARGET } from './gatekeeper';
export { structuralSchema } from './openapi';
export { relocateModule, relocationPoints } from './relocate';

export interface GatekeeperExportOptions {
  /** policies at or above it are enforced (`deny`), the others `warn` (default high) */
  denySeverity?: ExportSeverity;
  /** a parameters file: its values replace the defaults in the Constraints */
  paramsFile?: string;
  /** another corpus directory (tests) */
  policiesDir?: string;
}

export interface ExportedPolicy {
  id: string;
  kind: string;
  template: string;
  constraint: string;
  enforcementAction: 'deny' | 'warn';
  /** reads data.inventory: needs the kinds of sync.yaml synced */
  usesInventory: boolean;
  /** reads the admission request (old object): enforced at admission only, never in audit */
  admissionOnly: boolean;
}

export interface GatekeeperExport {
  dir: string;
  policies: ExportedPolicy[];
  syncFile: string;
  notes: string[];
}

/** Runs `work` over items with at most `limit` at a time, results in order. */
async function mapLimited<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const runners = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i] as T);
    }
  });
  await Promise.all(runners);
  return out;
}

async function relocatedFile(config: Config, file: string): Promise<string> {
  const [source, parsed] = await Promise.all([readFile(file, 'utf8'), opaParse({ opa: config.opa, path: file, locations: true })]);
  return relocateModule(source, parsed.ast, file);
}

const readsAdmission = (rego: string) => rego.includes(`data.lib.${CORPUS_ROOT}.admission`);

/** Compiles every generated module together (the library once): a broken export is never written. */
async function checkModules(config: Config, library: string, modules: { id: string; policy: string; entry: string }[]): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'pac-export-check-'));
  try {
    await writeFile(join(work, 'lib.rego'), library);
    for (const m of modules) {
      await writeFile(join(work, `${m.id}.policy.rego`), m.policy);
      await writeFile(join(work, `${m.id}.entry.rego`), m.entry);
    }
    await opaCheck({ opa: config.opa, paths: [work], strict: false });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export async function exportGatekeeper(config: Config, dir: string, options: GatekeeperExportOptions = {}): Promise<GatekeeperExport> {
  const policiesDir = options.policiesDir ?? POLICIES_DIR;
  const index: PolicyMeta[] = loadPolicyIndex();
  const params = options.paramsFile ? loadParams(options.paramsFile, index) : {};
  const denySeverity = options.denySeverity ?? 'high';
  const libFiles = (await readdir(join(policiesDir, 'lib'))).filter((f) => f.endsWith('.rego') && !f.endsWith('_test.rego')).sort();
  const library = (await Promise.all(libFiles.map((f) => relocatedFile(config, join(policiesDir, 'lib', f))))).join('\n');
  const policies = await mapLimited(index, 4, async (meta) => ({
    meta,
    policy: await relocatedFile(config, join(policiesDir, meta.id, 'policy.rego')),
  }));
  await checkModules(
    config,
    library,
    policies.map((p) => ({ id: p.meta.id, policy: p.policy, entry: entryRego(p.meta) })),
  );

  const files: { file: string; text: string }[] = [];
  const exported: ExportedPolicy[] = [];
  for (const { meta, policy } of policies) {
    const template = constraintTemplate(meta, { library, policy });
    const made = constraint(meta, effectiveParams(meta, params), denySeverity);
    const kind = constraintKind(meta.id);
    const entry = {
      id: meta.id,
      kind,
      template: join(dir, 'templates', `${kind.toLowerCase()}.yaml`),
      constraint: join(dir, 'constraints', `${meta.id}.yaml`),
      enforcementAction: (made.spec as { enforcementAction: 'deny' | 'warn' }).enforcementAction,
      usesInventory: meta.usesInventory,
      admissionOnly: readsAdmission(policy),
    };
    exported.push(entry);
    files.push({ file: entry.template, text: stringify(template, { lineWidth: 0 }) });
    files.push({ file: entry.constraint, text: stringify(made, { lineWidth: 0 }) });
  }
  const inventory = (JSON.parse(await readFile(INVENTORY_FILE, 'utf8')) as { inventory: unknown }).inventory;
  const syncFile = join(dir, 'sync.yaml');
  files.push({ file: syncFile, text: stringify(syncConfig(inventory), { lineWidth: 0 }) });
  for (const { file, text } of files) await writeAtomicAsync(file, text);

  const inventoryIds = exported.filter((p) => p.usesInventory).map((p) => p.id);
  const admissionIds = exported.filter((p) => p.admissionOnly).map((p) => p.id);
  const notes = [
    `${inventoryIds.length} policies read data.inventory (${inventoryIds.join(', ')}): apply sync.yaml so that Gatekeeper syncs the kinds they read; without it they see no other object and never fire.`,
    `${admissionIds.length} admission-only polic${admissionIds.length === 1 ? 'y reads' : 'ies read'} input.review.operation/oldObject (${admissionIds.join(', ')}): enforced on UPDATE at admission; Gatekeeper's audit has no old object, so they never fire there.`,
    'The built-in exemption checks of pac analyze (exemption-reason-required, exemption-unknown-policy) are not exported; kpc.io/exempt with a reason is honoured by every template.',
  ];
  return { dir, policies: exported, syncFile, notes };
}
