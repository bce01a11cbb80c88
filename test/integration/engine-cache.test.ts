/**
 * The compiled module cache, with the real opa: built once per corpus digest, reused after, rebuilt
 * when a policy changes (a policy published in dir mode joins the engine), safe under concurrent
 * builders (no torn file, no temporary file left), and the shared engine swaps in the rebuilt one.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCorpusBundle, corpusEngine, type EngineConfig, sharedCorpusEngine } from '../../activities/engine';
import { readModule } from '../../activities/engine/bundle';
import { testConfig } from './harness';

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A config with its own state and publish directories. */
function freshConfig(): EngineConfig {
  const stateDir = mkdtempSync(join(tmpdir(), 'pac-engine-cache-'));
  dirs.push(stateDir);
  const base = testConfig();
  return {
    ...base,
    stateDir,
    drafting: { ...base.drafting, publish: { ...base.drafting.publish, mode: 'dir', dir: join(stateDir, 'published') } },
  };
}

const PUBLISHED =
  'package kpc.policies.team_pods_need_team\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.kind == "Pod"\n\tnot input.metadata.labels.team\n\tmsg := sprintf("Pod %s: label team is missing", [input.metadata.name])\n}\n';

function publish(config: EngineConfig): void {
  const folder = join(config.drafting.publish.dir, 'policies', 'team-pods-need-team');
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'policy.rego'), PUBLISHED);
}

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] },
};

describe('the module cache', () => {
  it('builds once per digest, reuses it, and rebuilds when a policy is published', async () => {
    const config = freshConfig();
    const first = await buildCorpusBundle(config);
    expect(first.built).toBe(true);
    await expect(WebAssembly.compile(readModule(first.wasmFile))).resolves.toBeInstanceOf(WebAssembly.Module);
    const again = await buildCorpusBundle(config);
    expect(again).toMatchObject({ built: false, digest: first.digest, wasmFile: first.wasmFile });

    publish(config);
    const republished = await buildCorpusBundle(config);
    expect(republished.built).toBe(true);
    expect(republished.digest).not.toBe(first.digest);
    expect(republished.policyIds).toContain('team-pods-need-team');

    const engine = await corpusEngine(config, { threads: 0 });
    try {
      const [verdict] = await engine.evaluate([pod]);
      expect(verdict?.denied['team-pods-need-team']).toEqual(['Pod web: label team is missing']);
    } finally {
      await engine.close();
    }
    // the committed corpus alone when asked (reproducible labels)
    expect((await buildCorpusBundle(config, { includePublished: false })).digest).toBe(first.digest);
  });

  it('survives concurrent builders: one valid module, no temporary file left', async () => {
    const config = freshConfig();
    const bundles = await Promise.all([buildCorpusBundle(config), buildCorpusBundle(config), buildCorpusBundle(config)]);
    expect(new Set(bundles.map((b) => b.digest)).size).toBe(1);
    const files = readdirSync(join(config.stateDir, 'engine'));
    expect(files.filter((f) => f.endsWith('.wasm'))).toEqual([`${bundles[0]?.digest}.wasm`]);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await expect(WebAssembly.compile(readModule(bundles[0]?.wasmFile as string))).resolves.toBeInstanceOf(WebAssembly.Module);
  });

  it('the shared engine swaps in the rebuilt module after a publication', async () => {
    const config = freshConfig();
    const before = await sharedCorpusEngine(config);
    expect(before.policyIds).not.toContain('team-pods-need-team');
    publish(config);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const after = await sharedCorpusEngine(config);
    expect(after.corpusDigest).not.toBe(before.corpusDigest);
    expect((await after.evaluate([pod]))[0]?.denied['team-pods-need-team']).toHaveLength(1);
  });

  it('a policy that aborts on one object (a rule with two values) is reported for it; every other verdict stands', async () => {
    const config = freshConfig();
    const folder = join(config.drafting.publish.dir, 'policies', 'two-valued');
    mkdirSync(folder, { recursive: true });
    writeFileSync(
      join(folder, 'policy.rego'),
      'package kpc.policies.two_valued\n\nimport rego.v1\n\nlabel := k if {\n\tsome k, v in input.metadata.labels\n\tv == "x"\n}\n\ndeny contains msg if {\n\tlabel\n\tmsg := sprintf("label %s", [label])\n}\n',
    );
    const twoLabels = { ...pod, metadata: { ...pod.metadata, labels: { a: 'x', b: 'x' } } };
    const oneLabel = { ...pod, metadata: { ...pod.metadata, name: 'one', labels: { a: 'x' } } };
    for (const threads of [0, 1]) {
      const engine = await corpusEngine(config, { threads });
      try {
        const [bad, good] = await engine.evaluate([twoLabels, oneLabel]);
        expect(bad?.failed?.['two-valued']).toMatch(/conflict/);
        expect(bad?.denied['two-valued']).toBeUndefined();
        expect(bad?.denied['pss-run-as-non-root']?.length).toBeGreaterThan(0);
        expect(good?.failed).toBeUndefined();
        expect(good?.denied['two-valued']).toEqual(['label a']);
      } finally {
        await engine.close();
      }
    }
  });
});
