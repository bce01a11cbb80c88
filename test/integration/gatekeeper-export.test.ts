/**
 * `pac export gatekeeper`: the exported ConstraintTemplates, evaluated by the real `opa eval` in
 * Gatekeeper's input shape ({review: {object, operation, kind, oldObject}, parameters} and
 * Gatekeeper's data.inventory layout by groupVersion), give the same verdicts and messages as the
 * in-process engine on every fixture: every policy sample (admission samples with their request)
 * and every positive fixture. The exported modules also pass Gatekeeper's static rules (library
 * packages under lib., no data reference outside data.lib and data.inventory).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { exemptionOf } from '../../activities/analyze/exemptions';
import { corpusEngine, type ManifestVerdict } from '../../activities/engine';
import { entryPackage, exportGatekeeper, type GatekeeperExport } from '../../activities/export';
import { opaEval } from '../../activities/opa/eval';
import { opaParse } from '../../activities/opa/opa';
import { loadPolicyIndex, loadPolicySamples, loadPositiveFixtures } from '../../datasets/load';
import { INVENTORY_FILE } from '../../datasets/paths';
import type { PolicyMeta } from '../../datasets/schemas';
import { isObject } from '../../lib/json';
import { testConfig, testEnv } from './harness';

const config = testConfig();
const dir = mkdtempSync(join(tmpdir(), 'pac-gatekeeper-'));
const out = join(dir, 'export');
const index = loadPolicyIndex();
const byId = new Map(index.map((m) => [m.id, m]));

interface Case {
  name: string;
  manifest: Record<string, unknown>;
  operation: string;
  oldObject?: unknown;
}

const cases: Case[] = [
  ...loadPolicySamples().map((s) => ({
    name: `${s.policy}/${s.verdict}/${s.name}`,
    manifest: s.manifest as Record<string, unknown>,
    operation: s.admission?.operation ?? 'CREATE',
    ...(s.admission?.old_object ? { oldObject: s.admission.old_object } : {}),
  })),
  ...loadPositiveFixtures().map((f) => ({
    name: `positive/${f.name}`,
    manifest: f.manifest as Record<string, unknown>,
    operation: 'CREATE',
  })),
];

// biome-ignore lint/suspicious/noExplicitAny: YAML objects are read by path
type Yaml = any;
let result: GatekeeperExport;
const templates = new Map<string, Yaml>();
const constraints = new Map<string, Yaml>();

/** datasets/fixtures/inventory.json (filed by kind) in Gatekeeper's layout (filed by groupVersion, then kind). */
function gatekeeperInventory(): Record<string, unknown> {
  const { inventory } = JSON.parse(readFileSync(INVENTORY_FILE, 'utf8')) as Yaml;
  const namespace: Yaml = {};
  const cluster: Yaml = {};
  const file = (root: Yaml, keys: string[], object: Yaml) => {
    let node = root;
    for (const key of keys.slice(0, -1)) {
      node[key] ??= {};
      node = node[key];
    }
    node[keys.at(-1) as string] = object;
  };
  for (const [ns, kinds] of Object.entries<Yaml>(inventory.namespace))
    for (const [kind, objects] of Object.entries<Yaml>(kinds))
      for (const [name, object] of Object.entries<Yaml>(objects)) file(namespace, [ns, object.apiVersion, kind, name], object);
  for (const [kind, objects] of Object.entries<Yaml>(inventory.cluster))
    for (const [name, object] of Object.entries<Yaml>(objects)) file(cluster, [object.apiVersion, kind, name], object);
  return { namespace, cluster };
}

/** What the engine denies, exemptions (kpc.io/exempt with a reason) applied: policy → sorted messages. */
function expected(verdict: ManifestVerdict | undefined, manifest: Record<string, unknown>): Record<string, string[]> {
  const exemption = exemptionOf(manifest);
  const exempt = new Set(exemption?.reason ? exemption.ids : []);
  return Object.fromEntries(
    Object.entries(verdict?.denied ?? {})
      .filter(([id]) => byId.has(id) && !exempt.has(id))
      .map(([id, messages]) => [id, [...messages].sort()]),
  );
}

beforeAll(async () => {
  result = await exportGatekeeper(config, out);
  for (const file of readdirSync(join(out, 'templates'))) {
    const template = parse(readFileSync(join(out, 'templates', file), 'utf8'));
    templates.set(template.metadata.annotations['kpc.io/policy'], template);
  }
  for (const file of readdirSync(join(out, 'constraints'))) {
    const made = parse(readFileSync(join(out, 'constraints', file), 'utf8'));
    constraints.set(made.metadata.name, made);
  }
}, 120_000);

describe('pac export gatekeeper', () => {
  it('writes a ConstraintTemplate and a Constraint for every corpus policy, and the sync Config', () => {
    expect(result.policies.map((p) => p.id).sort()).toEqual(index.map((m) => m.id).sort());
    expect([...templates.keys()].sort()).toEqual(index.map((m) => m.id).sort());
    expect([...constraints.keys()].sort()).toEqual(index.map((m) => m.id).sort());
    const template = templates.get('pss-privileged');
    expect(template.apiVersion).toBe('templates.gatekeeper.sh/v1');
    expect(template.metadata.name).toBe('kpcpssprivileged');
    expect(template.spec.crd.spec.names.kind).toBe('KpcPssPrivileged');
    expect(template.spec.targets[0].code[0].source.version).toBe('v1');
    const ports = constraints.get('container-privileged-ports');
    expect(ports.kind).toBe('KpcContainerPrivilegedPorts');
    expect(ports.spec.enforcementAction).toBe('warn');
    expect(ports.spec.match.kinds[0].kinds).toEqual(byId.get('container-privileged-ports')?.kinds);
    expect(ports.spec.parameters).toEqual({ allowed_ports: [], allow_with_net_bind_service: true, exempt_images: [] });
    expect(
      templates.get('container-privileged-ports').spec.crd.spec.validation.openAPIV3Schema.properties.allow_with_net_bind_service,
    ).toEqual({
      type: 'boolean',
      description: expect.any(String),
    });
    expect(constraints.get('pss-privileged').spec.enforcementAction).toBe('deny');
    const sync = parse(readFileSync(result.syncFile, 'utf8'));
    expect(sync.spec.sync.syncOnly).toContainEqual({ group: 'policy', version: 'v1', kind: 'PodDisruptionBudget' });
  });

  it("follows Gatekeeper's rules: libraries under lib., data referenced only under data.lib and data.inventory", async () => {
    const modules = new Map<string, string>();
    for (const template of templates.values()) {
      const source = template.spec.targets[0].code[0].source;
      modules.set(`entry:${template.metadata.name}`, source.rego);
      source.libs.forEach((lib: string, i: number) => {
        modules.set(`lib:${template.metadata.name}:${i}`, lib);
      });
    }
    const libraries = new Set([...templates.values()].map((t) => t.spec.targets[0].code[0].source.libs[0]));
    expect(libraries.size).toBe(1);
    const bad: string[] = [];
    const distinct = new Map<string, string>();
    for (const [name, text] of modules) if (!name.startsWith('lib:') || !distinct.has(text)) distinct.set(text, name);
    for (const [text, name] of distinct) {
      const { ast } = await opaParse({ opa: config.opa, source: text, filename: 'module.rego' });
      const pkg = (ast.package.path as { value: unknown }[]).slice(1).map((t) => t.value);
      if (name.startsWith('lib:') && pkg[0] !== 'lib') bad.push(`${name}: package ${pkg.join('.')} is not under lib.`);
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) {
          for (const child of node) walk(child);
          return;
        }
        if (!isObject(node)) return;
        if (node.type === 'ref' && Array.isArray(node.value) && isObject(node.value[0]) && node.value[0].value === 'data') {
          const head = isObject(node.value[1]) ? node.value[1].value : undefined;
          if (head !== 'lib' && head !== 'inventory') bad.push(`${name}: data reference under data.${String(head)}`);
        }
        for (const child of Object.values(node)) walk(child);
      };
      walk([ast.imports, ast.rules]);
    }
    expect(bad).toEqual([]);
  });

  it(`gives the engine's verdicts and messages on every fixture (${cases.length} objects × every policy), in Gatekeeper's input shape`, async () => {
    const engine = await corpusEngine(config, { threads: 0, includePublished: false, sampleTimingEvery: 0 });
    const verdicts: ManifestVerdict[] = [];
    try {
      for (const c of cases) {
        const admission =
          c.operation === 'CREATE' && !c.oldObject
            ? undefined
            : { operation: c.operation, ...(c.oldObject ? { old_object: c.oldObject } : {}) };
        const [verdict] = await engine.evaluate([c.manifest], admission ? { admission } : {});
        verdicts.push(verdict as ManifestVerdict);
      }
    } finally {
      await engine.close();
    }

    // the exported modules on disk, the library once, and a harness that runs every template's violation per case
    const rego = join(dir, 'rego');
    mkdirSync(rego, { recursive: true });
    const written = new Set<string>();
    const harness = ['package harness', '', 'verdicts(review) := {'];
    const functions: string[] = [];
    [...templates.entries()].forEach(([id, template], i) => {
      const source = template.spec.targets[0].code[0].source;
      const meta = byId.get(id) as PolicyMeta;
      writeFileSync(join(rego, `${i}.entry.rego`), source.rego);
      source.libs.forEach((lib: string, k: number) => {
        if (written.has(lib)) return;
        written.add(lib);
        writeFileSync(join(rego, `${i}.lib${k}.rego`), lib);
      });
      const parameters = constraints.get(id).spec.parameters;
      const input = JSON.stringify({ parameters: parameters ?? {} }).replace(/}$/, ', "review": review}');
      functions.push(
        `p${i}(review) := {r.msg | some r in vs} if {\n\tvs := data.${entryPackage(meta)}.violation with input as ${input}\n}`,
      );
      harness.push(`\t${JSON.stringify(id)}: p${i}(review),`);
    });
    harness.push('}', '', 'results := [verdicts(c) | some c in data.cases]', '', ...functions, '');
    writeFileSync(join(rego, 'harness.rego'), harness.join('\n'));
    const reviews = cases.map((c) => ({
      object: c.manifest,
      oldObject: c.oldObject ?? null,
      operation: c.operation,
      kind: { group: '', version: 'v1', kind: String(c.manifest.kind) },
    }));
    writeFileSync(join(rego, 'data.json'), JSON.stringify({ inventory: gatekeeperInventory(), cases: reviews }));
    const started = performance.now();
    const evaluation = await opaEval({ opa: config.opa, timeoutMs: 240_000, query: 'data.harness.results', dataPaths: [rego] });
    const seconds = (performance.now() - started) / 1000;
    const results = evaluation.result[0]?.expressions[0]?.value as Record<string, string[]>[];
    expect(results).toHaveLength(cases.length);

    const mismatches: string[] = [];
    const unmatchedKinds: string[] = [];
    let denials = 0;
    cases.forEach((c, i) => {
      const want = expected(verdicts[i], c.manifest);
      const got = Object.fromEntries(
        Object.entries(results[i] ?? {})
          .filter(([, messages]) => messages.length > 0)
          .map(([id, messages]) => [id, [...messages].sort()]),
      );
      denials += Object.keys(want).length;
      if (JSON.stringify(Object.entries(got).sort()) !== JSON.stringify(Object.entries(want).sort()))
        mismatches.push(`${c.name}: gatekeeper ${JSON.stringify(Object.keys(got))} vs engine ${JSON.stringify(Object.keys(want))}`);
      // Gatekeeper only asks a template about the kinds its Constraint matches
      for (const id of Object.keys(want)) {
        const kinds: string[] = constraints.get(id).spec.match.kinds[0].kinds;
        if (!kinds.includes('*') && !kinds.includes(String(c.manifest.kind)))
          unmatchedKinds.push(`${c.name}: ${id} denies a ${c.manifest.kind}`);
      }
    });
    process.stderr.write(
      `[gatekeeper-export] ${cases.length} fixtures × ${templates.size} templates: ${denials} denials, ${mismatches.length} mismatches; opa eval ${seconds.toFixed(1)} s\n`,
    );
    expect(mismatches).toEqual([]);
    expect(unmatchedKinds).toEqual([]);
    expect(denials).toBeGreaterThan(300);
    // the admission-only policy fired through input.review.oldObject
    const update = cases.findIndex((c) => c.name === 'sa-name-unchanged-on-update/disallowed/deployment-to-backfill-account');
    expect(Object.keys(results[update] ?? {}).filter((id) => (results[update]?.[id] ?? []).length)).toContain(
      'sa-name-unchanged-on-update',
    );
  }, 300_000);

  it('exits 2 naming the flag for a bad --deny-severity, and exports with the CLI', () => {
    const pac = join(import.meta.dirname, '..', '..', 'bin', 'pac.js');
    const bad = spawnSync(process.execPath, [pac, 'export', 'gatekeeper', join(dir, 'cli'), '--deny-severity', 'urgent'], {
      encoding: 'utf8',
    });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('--deny-severity');
    const good = spawnSync(process.execPath, [pac, 'export', 'gatekeeper', join(dir, 'cli'), '--json'], {
      encoding: 'utf8',
      env: testEnv(),
    });
    expect(good.status, good.stderr).toBe(0);
    expect(JSON.parse(good.stdout).policies).toHaveLength(index.length);
  }, 120_000);
});
