/**
 * What the engine compiles and how it refuses: the policy sources (corpus, published, drafts) and
 * their ids, the generated aggregate entrypoint, the cache digest, reading policy.wasm out of the
 * bundle archive, and the sandbox's list and scan of refused built-ins (on a parsed AST).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tarEntry } from '../../activities/engine/bundle';
import { sandboxRefusal } from '../../activities/engine/capabilities';
import { EngineCompileError } from '../../activities/engine/errors';
import { referencedNames } from '../../activities/engine/sandbox';
import { aggregateSource, corpusSources, modulePlan, packageOf, policySource, sourcesDigest } from '../../activities/engine/sources';
import { loadPolicyIndex } from '../../datasets/load';

const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'pac-engine-unit-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const policy = (pkg: string, body = 'deny contains "x" if input.kind == "Pod"') =>
  `# a comment\npackage ${pkg}\n\nimport rego.v1\n\n${body}\n`;

describe('policy sources', () => {
  it('read the package and derive the id the oracle uses (package key, "_" as "-")', () => {
    expect(packageOf(policy('kpc.policies.image_no_latest_tag'))).toBe('kpc.policies.image_no_latest_tag');
    expect(packageOf('# package commented.out\npackage a.b # trailing\n')).toBe('a.b');
    const source = policySource('x/policy.rego', policy('kpc.policies.image_no_latest_tag'), 'corpus');
    expect(source).toMatchObject({ id: 'image-no-latest-tag', name: 'policies/image-no-latest-tag/policy.rego' });
  });

  it('refuse a file without a kpc.policies.<name> package, naming it', () => {
    expect(() => policySource('a/policy.rego', 'deny := 1', 'draft')).toThrow(/a\/policy\.rego: no package declaration/);
    expect(() => policySource('b/policy.rego', policy('kpc.lib.k8s'), 'draft')).toThrow(EngineCompileError);
    expect(() => policySource('c/policy.rego', policy('kpc.policies.a.b'), 'draft')).toThrow(/is not kpc\.policies\.<name>/);
  });

  it('are the corpus plus the published policies (dir mode); a published id replaces the corpus one', () => {
    const dir = tempDir();
    const corpusIds = loadPolicyIndex().map((m) => m.id);
    const config = (mode: 'dir' | 'git') => ({ drafting: { publish: { mode, dir } } });
    expect(corpusSources(config('dir')).policies.map((p) => p.id)).toEqual([...corpusIds].sort());

    mkdirSync(join(dir, 'policies', 'team-new-rule'), { recursive: true });
    writeFileSync(join(dir, 'policies', 'team-new-rule', 'policy.rego'), policy('kpc.policies.team_new_rule'));
    mkdirSync(join(dir, 'policies', 'image-no-latest-tag'), { recursive: true });
    writeFileSync(
      join(dir, 'policies', 'image-no-latest-tag', 'policy.rego'),
      policy('kpc.policies.image_no_latest_tag', 'deny contains "replaced" if true'),
    );
    const sources = corpusSources(config('dir'));
    expect(sources.policies.map((p) => p.id)).toEqual([...corpusIds, 'team-new-rule'].sort());
    expect(sources.policies.find((p) => p.id === 'image-no-latest-tag')?.origin).toBe('published');
    expect(sources.library.map((l) => l.name)).toEqual(['lib/k8s.rego']);
    // git mode publishes to a branch: nothing on disk joins until merged
    expect(corpusSources(config('git')).policies).toHaveLength(corpusIds.length);
    // the committed corpus alone, when asked
    expect(corpusSources(config('dir'), false).policies).toHaveLength(corpusIds.length);

    mkdirSync(join(dir, 'policies', 'wrong-folder'), { recursive: true });
    writeFileSync(join(dir, 'policies', 'wrong-folder', 'policy.rego'), policy('kpc.policies.other_name'));
    expect(() => corpusSources(config('dir'))).toThrow(/does not match its folder wrong-folder/);
  });
});

describe('the generated module', () => {
  const sources = [policySource('a', policy('kpc.policies.pod_a'), 'corpus'), policySource('b', policy('kpc.policies.pod_b'), 'corpus')];

  it('aggregates every policy under its id, only when it denies', () => {
    const text = aggregateSource(sources);
    expect(text).toContain('package kpc.engine');
    expect(text).toContain('denials["pod-a"] := d if {\n\td := data.kpc.policies.pod_a.deny\n\tcount(d) > 0\n}');
    expect(modulePlan(sources)).toEqual({
      aggregate: 'kpc/engine/denials',
      policies: { 'pod-a': 'kpc/policies/pod_a/deny', 'pod-b': 'kpc/policies/pod_b/deny' },
    });
  });

  it('is cached under a digest that changes with any Rego file, the generated source or the binary', () => {
    const base = { library: [{ file: 'l', name: 'lib/k8s.rego', text: 'package kpc.lib.k8s' }], policies: sources };
    const digest = sourcesDigest(base, aggregateSource(sources), ['opa-1']);
    expect(sourcesDigest(base, aggregateSource(sources), ['opa-1'])).toBe(digest);
    expect(sourcesDigest(base, aggregateSource(sources), ['opa-2'])).not.toBe(digest);
    const changed = { ...base, library: [{ ...base.library[0], text: 'package kpc.lib.k8s\nx := 1' } as (typeof base.library)[0]] };
    expect(sourcesDigest(changed, aggregateSource(sources), ['opa-1'])).not.toBe(digest);
    expect(sourcesDigest(base, `${aggregateSource(sources)}\n`, ['opa-1'])).not.toBe(digest);
  });
});

/** A ustar archive of the given files. */
function tar(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, content] of Object.entries(files)) {
    const header = Buffer.alloc(512);
    header.write(name, 0);
    header.write(`${content.length.toString(8).padStart(11, '0')}\0`, 124);
    header.write('0', 156);
    header.write('ustar\0', 257);
    blocks.push(header, Buffer.from(content), Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

describe('the bundle archive', () => {
  it('gives policy.wasm out of opa build’s tar (names with or without a leading slash)', () => {
    const archive = tar({ '/data.json': '{}', '/policy.wasm': 'WASM-BYTES', '/.manifest': '{}' });
    expect(tarEntry(archive, 'policy.wasm')?.toString()).toBe('WASM-BYTES');
    expect(tarEntry(tar({ 'policy.wasm': 'x'.repeat(700) }), 'policy.wasm')?.length).toBe(700);
    expect(tarEntry(archive, 'missing.wasm')).toBeUndefined();
  });
});

describe('the sandbox list and scan', () => {
  it('refuses network, environment, clock and random built-ins, and keeps pure ones', () => {
    for (const name of [
      'http.send',
      'net.lookup_ip_addr',
      'opa.runtime',
      'time.now_ns',
      'rand.intn',
      'uuid.rfc4122',
      'json.match_schema',
    ]) {
      expect(sandboxRefusal(name), name).toBeDefined();
    }
    for (const name of ['net.cidr_contains', 'time.parse_rfc3339_ns', 'sprintf', 'regex.match', 'uuid.parse']) {
      expect(sandboxRefusal(name), name).toBeUndefined();
    }
  });

  it('finds every dotted name a ref spells, with its row (calls, `with` targets, nested calls)', () => {
    const ref = (row: number, ...parts: string[]) => ({
      type: 'ref',
      location: { row },
      value: [{ type: 'var', value: parts[0] }, ...parts.slice(1).map((p) => ({ type: 'string', value: p }))],
    });
    const ast = {
      rules: [
        { head: { value: { type: 'call', value: [ref(3, 'http', 'send'), { type: 'object', value: [] }] } } },
        {
          body: [
            {
              terms: {
                type: 'ref',
                location: { row: 5 },
                value: [
                  { type: 'call', value: [ref(5, 'opa', 'runtime')] },
                  { type: 'string', value: 'env' },
                ],
              },
            },
          ],
        },
        { body: [{ with: [{ target: ref(7, 'net', 'lookup_ip_addr') }] }] },
      ],
    };
    const names = referencedNames(ast).map((n) => `${n.row}:${n.name}`);
    expect(names).toEqual(expect.arrayContaining(['3:http.send', '5:opa.runtime', '7:net.lookup_ip_addr']));
    expect(names.filter((n) => sandboxRefusal(n.split(':')[1] as string))).toEqual([
      '3:http.send',
      '5:opa.runtime',
      '7:net.lookup_ip_addr',
    ]);
  });
});
