/**
 * `pac analyze` as users run it: the built CLI (bin/pac.js → dist/) spawned on files, directories
 * and standard input, in every format, its verdicts checked against `opa eval` over the same
 * corpus (activities/opa/corpus.ts) — an oracle independent of the in-process engine.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { type AnalyzeJsonReport, analyzeJsonReportSchema } from '../../activities/analyze/report';
import { SEVERITY_RANK } from '../../activities/analyze/severity';
import { evaluateCorpus } from '../../activities/opa/corpus';
import { bundlePolicies } from '../../datasets/bundles';
import { corpusRegoFiles, loadPolicyIndex } from '../../datasets/load';
import { INVENTORY_FILE } from '../../datasets/paths';
import { DEFAULT_BUNDLES } from '../../datasets/schemas';
import { generateManifests } from '../../datasets/synthetic/manifests';
import { githubProblems, validateSarif } from '../unit/helpers/sarif';
import { testConfig, testEnv } from './harness';

const root = join(import.meta.dirname, '..', '..');
const config = testConfig();
let dir: string;

function pac(args: string[], input?: string) {
  const run = spawnSync(process.execPath, [join(root, 'bin', 'pac.js'), 'analyze', ...args], {
    cwd: dir,
    env: testEnv(),
    encoding: 'utf8',
    input,
    timeout: 180_000,
    maxBuffer: 256 << 20,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const report = (stdout: string): AnalyzeJsonReport => analyzeJsonReportSchema.parse(JSON.parse(stdout));

/** policy → messages of each resource, as `opa eval` over the corpus says. */
async function oracle(manifests: unknown[]): Promise<Record<string, string[]>[]> {
  const results = await evaluateCorpus({ opa: config.opa, regoFiles: corpusRegoFiles(), dataFiles: [INVENTORY_FILE], manifests });
  return results.map((r) => r.denied);
}

const denialsOf = (r: AnalyzeJsonReport['resources'][number]) =>
  Object.fromEntries(r.findings.filter((f) => !f.policy.startsWith('exemption-')).map((f) => [f.policy, f.messages]));

const PRIVILEGED = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'shop' },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }] },
};

const generated = generateManifests(11, 240);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pac-analyze-'));
  // a repository: manifests in nested folders, some multi-document, and files that are not Kubernetes
  for (const [i, manifest] of generated.slice(0, 200).entries()) {
    const sub = join(dir, 'repo', `team-${i % 4}`);
    mkdirSync(sub, { recursive: true });
    writeFileSync(
      join(sub, `m-${String(i).padStart(3, '0')}.${i % 5 === 0 ? 'json' : 'yaml'}`),
      i % 5 === 0 ? JSON.stringify(manifest, null, 2) : stringify(manifest),
    );
  }
  writeFileSync(
    join(dir, 'repo', 'multi.yml'),
    generated
      .slice(200, 240)
      .map((m) => stringify(m))
      .join('---\n'),
  );
  writeFileSync(join(dir, 'repo', 'package.json'), JSON.stringify({ name: 'x', version: '1.0.0' }));
  writeFileSync(join(dir, 'repo', 'values.json'), JSON.stringify({ replicaCount: 2, image: { tag: 'latest' } }));
  writeFileSync(join(dir, 'repo', 'm.expected.json'), JSON.stringify({ deny: ['pss-privileged'], why: 'privileged' }));
  mkdirSync(join(dir, 'repo', '.git'));
  writeFileSync(join(dir, 'repo', '.git', 'hidden.yaml'), stringify(PRIVILEGED));
  mkdirSync(join(dir, 'repo', 'node_modules'));
  writeFileSync(join(dir, 'repo', 'node_modules', 'dep.yaml'), stringify(PRIVILEGED));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('pac analyze on a directory', () => {
  it('equals opa eval on every object, skips what is not Kubernetes with a note, in process and on the thread pool', async () => {
    const expected = await oracle(generated);
    for (const threads of ['0', '2']) {
      // the generated manifests are written for the house-standard cluster: judge them against its inventory, as the oracle does
      const run = pac(['repo', '--json', '--bundle', 'all', '--threads', threads, '--inventory', INVENTORY_FILE]);
      expect(run.code, run.stderr).toBe(3);
      const out = report(run.stdout);
      expect(out.skipped.map((s) => s.source).sort()).toEqual(['repo/m.expected.json', 'repo/package.json', 'repo/values.json']);
      expect(out.errors).toEqual([]);
      expect(out.resources).toHaveLength(generated.length);
      expect(out.resources.some((r) => r.source.includes('.git') || r.source.includes('node_modules'))).toBe(false);
      // files are visited in sorted order: multi.yml, then team-0 … team-3
      const order = [...generated.slice(200).keys()].map((k) => 200 + k);
      for (let team = 0; team < 4; team++) for (let i = team; i < 200; i += 4) order.push(i);
      out.resources.forEach((r, k) => {
        expect(denialsOf(r), `${r.source}:${r.line}`).toEqual(expected[order[k] as number]);
        const ranks = r.findings.filter((f) => !f.exempted).map((f) => SEVERITY_RANK[f.severity]);
        expect(ranks).toEqual([...ranks].sort((a, b) => b - a));
      });
      const total = out.resources.reduce((n, r) => n + r.findings.length, 0);
      const s = out.summary;
      expect(s.findings.critical + s.findings.high + s.findings.medium + s.findings.low + s.exempted).toBe(total);
      expect(s).toMatchObject({ files: 204, resources: 240, skipped: 3, problems: 0, exitCode: 3, threshold: 'low' });
    }
  });

  it('by default the pss-baseline and rbac bundles; --bundle names others', () => {
    const index = loadPolicyIndex();
    const byDefault = report(pac(['repo/team-1', '--json']).stdout);
    expect(byDefault.summary.policies).toBe(bundlePolicies([...DEFAULT_BUNDLES], index).length);
    const restricted = report(pac(['repo/team-1', '--json', '--bundle', 'pss-restricted']).stdout);
    const ids = new Set(bundlePolicies(['pss-restricted'], index).map((m) => m.id));
    expect(restricted.summary.policies).toBe(ids.size);
    expect(
      restricted.resources.flatMap((r) => r.findings.map((f) => f.policy)).every((id) => ids.has(id) || id.startsWith('exemption-')),
    ).toBe(true);
  });

  it('--strict makes the files that are not Kubernetes errors (exit code 2)', () => {
    const run = pac(['repo', '--strict', '--format', 'json']);
    expect(run.code).toBe(2);
    const out = report(run.stdout);
    expect(out.skipped).toEqual([]);
    expect(out.errors.map((e) => e.source).sort()).toEqual(['repo/m.expected.json', 'repo/package.json', 'repo/values.json']);
    expect(out.errors[0]?.message).toMatch(/not a Kubernetes object/);
  });

  it('text: grouped by resource, severity first, PSS level, notes for skipped files, a summary line', () => {
    const run = pac(['repo/team-0', '--bundle', 'all']);
    expect(run.code).toBe(3);
    expect(run.stdout).toMatch(
      /\n\S.* \(repo\/team-0\/m-\d{3}\.(yaml|json):1\)\n {2}(CRITICAL|HIGH|MEDIUM|LOW) +[a-z0-9-]+( \[PSS (baseline|restricted)\])?: /,
    );
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^50 files, 50 resources \(\d+ clean\), \d+ policies: \d+ findings .* → exit code 3$/,
    );
    const dirRun = pac(['repo']);
    expect(dirRun.stderr).toContain('note: skipped repo/package.json: not a Kubernetes object');
  });
});

describe('pac analyze on one big file', () => {
  it('streams a file of 1,500 documents (over 1 MB) with the lines of each document, equal to opa eval', async () => {
    const manifests = generateManifests(23, 1500);
    let text = '';
    const lines: number[] = [];
    for (const m of manifests) {
      text += '---\n';
      lines.push(text.split('\n').length);
      text += stringify(m);
    }
    expect(text.length).toBeGreaterThan(1 << 20);
    writeFileSync(join(dir, 'big.yaml'), text);
    const run = pac(['big.yaml', '--json', '--bundle', 'all', '--inventory', INVENTORY_FILE]);
    expect(run.code, run.stderr).toBe(3);
    const out = report(run.stdout);
    expect(out.resources.map((r) => r.line)).toEqual(lines);
    const expected = await oracle(manifests);
    out.resources.forEach((r, i) => {
      expect(denialsOf(r)).toEqual(expected[i]);
    });
  });
});

describe('pac analyze on standard input, every format', () => {
  const input = `${stringify(PRIVILEGED)}---\n${stringify({ ...PRIVILEGED, metadata: { name: 'second', namespace: 'shop' } })}`;

  it('sarif validates against SARIF 2.1.0 and has what GitHub code scanning needs', () => {
    const run = pac(['-', '--format', 'sarif'], input);
    expect(run.code).toBe(3);
    const log = JSON.parse(run.stdout);
    expect(validateSarif(log), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(githubProblems(log)).toEqual([]);
    const results = log.runs[0].results;
    expect(results.filter((r: { ruleId: string }) => r.ruleId === 'pss-privileged')).toHaveLength(2);
    expect(results[0].locations[0].physicalLocation).toEqual({ artifactLocation: { uri: 'stdin' }, region: { startLine: 1 } });
    expect(run.stderr).toMatch(/pac analyze: 1 file, 2 resources/);
  });

  it('junit is well-formed with a failure per policy; github annotations; text; json', () => {
    const junit = pac(['-', '--format', 'junit', '--severity-threshold', 'critical'], input);
    expect(junit.code).toBe(3);
    const errors: string[] = [];
    const parser = new SaxesParser();
    parser.on('error', (e) => errors.push(e.message));
    parser.write(junit.stdout).close();
    expect(errors).toEqual([]);
    expect(junit.stdout.match(/<failure type="pss-privileged"/g)).toHaveLength(2);
    expect(junit.stdout).not.toMatch(/<failure type="(?!pss-privileged)/);

    const github = pac(['-', '--format', 'github'], input);
    expect(github.stdout.split('\n')[0]).toMatch(/^::error title=pss-privileged \(critical%2C PSS baseline\)::Pod shop\/web: /);

    const text = pac(['-'], input);
    expect(text.stdout).toMatch(/^\nPod shop\/web \(stdin:1\)\n {2}CRITICAL pss-privileged \[PSS baseline\]: /);

    const json = report(pac(['-', '--json'], input).stdout);
    expect(json.resources.map((r) => [r.resource, r.line])).toEqual([
      ['Pod shop/web', 1],
      ['Pod shop/second', stringify(PRIVILEGED).split('\n').length + 1],
    ]);
  });
});

describe('thresholds, selection, exemptions, errors', () => {
  it('--severity-threshold decides the exit code; --policy and --skip select', () => {
    writeFileSync(join(dir, 'pod.yaml'), stringify(PRIVILEGED));
    expect(pac(['pod.yaml', '--policy', 'probes-liveness,probes-readiness', '--severity-threshold', 'high']).code).toBe(0);
    const only = report(pac(['pod.yaml', '--json', '--policy', 'probes-liveness', '--policy', 'pss-privileged']).stdout);
    expect(only.resources[0]?.findings.map((f) => f.policy)).toEqual(['pss-privileged', 'probes-liveness']);
    expect(only.summary.policies).toBe(2);
    const skipped = report(pac(['pod.yaml', '--json', '--skip', 'pss-privileged']).stdout);
    expect(skipped.resources[0]?.findings.map((f) => f.policy)).not.toContain('pss-privileged');
    expect(pac(['pod.yaml', '--policy', 'pss-privileged', '--severity-threshold', 'critical']).code).toBe(3);
  });

  it('exempted findings are reported and do not count; an exemption without a reason is a finding', () => {
    const exempt = (annotations: Record<string, string>) => ({ ...PRIVILEGED, metadata: { ...PRIVILEGED.metadata, annotations } });
    writeFileSync(
      join(dir, 'exempt.yaml'),
      stringify(exempt({ 'kpc.io/exempt': 'pss-privileged', 'kpc.io/exempt-reason': 'GPU driver installer (OPS-7)' })),
    );
    const ok = pac(['exempt.yaml', '--json', '--policy', 'pss-privileged']);
    expect(ok.code).toBe(0);
    expect(report(ok.stdout).resources[0]?.findings).toEqual([
      expect.objectContaining({ policy: 'pss-privileged', exempted: { reason: 'GPU driver installer (OPS-7)' } }),
    ]);
    writeFileSync(join(dir, 'noreason.yaml'), stringify(exempt({ 'kpc.io/exempt': 'pss-privileged' })));
    const bad = pac(['noreason.yaml', '--json', '--policy', 'pss-privileged']);
    expect(bad.code).toBe(3);
    expect(report(bad.stdout).resources[0]?.findings.map((f) => [f.policy, f.exempted])).toEqual([
      ['pss-privileged', undefined],
      ['exemption-reason-required', undefined],
    ]);
  });

  it('a broken document is reported with file:line (exit code 2) and the others are analysed', () => {
    writeFileSync(
      join(dir, 'broken.yaml'),
      `${stringify(PRIVILEGED)}---\nkind: Pod\nmetadata:\n  labels: [a\n---\n${stringify(PRIVILEGED)}`,
    );
    const run = pac(['broken.yaml', '--policy', 'pss-privileged']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^broken\.yaml:\d+: /m);
    expect(run.stdout.match(/CRITICAL pss-privileged/g)).toHaveLength(2);
  });

  it('usage errors: unknown flag, policy, format or path, no path, two formats (exit code 2)', () => {
    for (const args of [
      ['pod.yaml', '--nope'],
      ['pod.yaml', '--policy', 'nope'],
      ['pod.yaml', '--format', 'xml'],
      ['missing.yaml'],
      [],
      ['pod.yaml', '--json', '--format', 'sarif'],
    ]) {
      const run = pac(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stderr, args.join(' ')).toMatch(/^pac: /);
    }
  });

  it('--output writes the whole report to the file, nothing to stdout', () => {
    const run = pac(['pod.yaml', '--format', 'sarif', '--output', 'out.sarif']);
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('');
    expect(validateSarif(JSON.parse(readFileSync(join(dir, 'out.sarif'), 'utf8')))).toBe(true);
  });

  it('--rank adds the top-k from the champion ranker or the heuristic, and says which', () => {
    const out = report(pac(['pod.yaml', '--json', '--top', '2']).stdout);
    expect(out.ranker).toMatch(/champion|heuristic/);
    expect(out.resources[0]?.ranked).toHaveLength(2);
    expect(report(pac(['pod.yaml', '--json']).stdout).ranker).toBeUndefined();
  });
});
