/**
 * The drafting loop as CI uses it and with an LLM: `pac draft` exit codes (invalid request 2,
 * passed 0, guardrails failed 3) against the real engines; and the LLM generator's repair loop —
 * an answer that calls http.send fails the guardrails, the failure goes back into the prompt, and
 * the corrected answer passes. The OpenAI-compatible endpoint here is a loopback HTTP server that
 * answers like a model would (no model can be downloaded on this machine); everything else —
 * Temporal, Weaviate, OPA, MLflow — is real.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config';
import { DraftsClient } from '../../workers/drafts';
import { createWorkers, type PacWorker } from '../../workers/main';
import { temporalClient } from '../../workers/temporal';
import { testEnv, uniqueName } from './harness';

const root = new URL('../..', import.meta.url).pathname;
const publishDir = mkdtempSync(join(tmpdir(), 'pac-publish-'));

function pac(args: string[], env: Record<string, string>) {
  const out = spawnSync(process.execPath, [join(root, 'bin', 'pac.js'), ...args], {
    cwd: root,
    env: { ...testEnv(), PAC_PUBLISH_DIR: publishDir, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe('pac draft (what CI runs)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pac-requests-'));
  const queue = uniqueName('cli-drafting');

  it('exits 2 on an invalid request, naming the fields, before contacting anything', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ intent: 'short', requester: 'ci', severity: 'urgent' }));
    const out = pac(['draft', '--request-file', file], { PAC_TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/intent: expected the intent in a sentence/);
    expect(out.stderr).toMatch(/severity:/);
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{\n  "intent": "x",\n  oops\n}');
    const parse = pac(['draft', '--request-file', broken], { PAC_TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(parse.code).toBe(2);
    expect(parse.stderr).toMatch(/broken\.json:3: not valid JSON/);
  });

  it('exits 0 when the draft passes the guardrails and 3 when it fails them, with the reasons', () => {
    const good = join(dir, 'good.yaml');
    writeFileSync(good, `intent: Pods must not set nodeName [${uniqueName('cli')}]\nrequester: ci:test\n`);
    const passed = pac(['draft', '--request-file', good, '--wait-for', 'guardrails', '--worker', '--json'], {
      PAC_TASK_QUEUE_DRAFTING: queue,
    });
    expect(passed.code).toBe(0);
    const body = JSON.parse(passed.stdout);
    expect(body.status.phase).toBe('awaiting-approval');
    expect(body.status.draft.policyId).toBe('pod-node-name-forbidden');

    const bad = join(dir, 'fails.json');
    writeFileSync(
      bad,
      JSON.stringify({ intent: `Containers must set readOnlyRootFilesystem to false [${uniqueName('cli')}]`, requester: 'ci:test' }),
    );
    const failed = pac(['draft', '--request-file', bad, '--wait-for', 'guardrails', '--worker'], { PAC_TASK_QUEUE_DRAFTING: queue });
    expect(failed.code).toBe(3);
    expect(failed.stdout).toMatch(/failed/);
    expect(failed.stdout).toMatch(/blast-radius: blast radius [\d.]+ % \(max 5 %, default\): newly denies \d+\/\d+ known-good fixtures/);
  });
});

describe('LLM generator: guardrail failures go back into the prompt', () => {
  let server: Server;
  let worker: PacWorker;
  let running: Promise<void>;
  let client: Client;
  const prompts: string[] = [];
  const policy = (body: string) =>
    `package kpc.policies.container_no_sleep_infinity\n\nimport data.kpc.lib.k8s\n\ndeny contains msg if {\n\tsome entry in k8s.containers\n\tsome arg in object.get(entry.container, "command", [])\n\targ == "infinity"\n${body}\tmsg := sprintf("%s: container %q (%s) runs sleep infinity; use a real entrypoint", [k8s.resource, entry.name, entry.list])\n}\n`;
  const tests = [
    'package kpc.policies.container_no_sleep_infinity_test',
    '',
    'import data.kpc.policies.container_no_sleep_infinity',
    '',
    'test_deny_sleep_infinity if {',
    '\tcount(container_no_sleep_infinity.deny) == 1 with input as {"kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"containers": [{"name": "a", "command": ["sleep", "infinity"]}]}}',
    '}',
    '',
    'test_allow_real_command if {',
    '\tcount(container_no_sleep_infinity.deny) == 0 with input as {"kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"containers": [{"name": "a", "command": ["/app"]}]}}',
    '}',
  ].join('\n');

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        const body = JSON.parse(raw) as { model: string; messages: { content: string }[] };
        const prompt = body.messages.map((m) => m.content).join('\n');
        prompts.push(prompt);
        // first answer phones home; once the prompt carries the guardrail failure, it does not
        const repaired = prompt.includes('no-forbidden-builtins: calls http.send');
        const extra = repaired
          ? ''
          : '\tresp := http.send({"method": "GET", "url": "http://example.invalid/allow"})\n\tresp.status_code == 200\n';
        const text = `Here it is.\n\`\`\`rego\n${policy(extra)}\`\`\`\n\n\`\`\`rego\n${tests}\n\`\`\`\n`;
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            model: body.model,
            choices: [{ message: { content: text } }],
            usage: { prompt_tokens: 900, completion_tokens: 300 },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const llmConfig = loadConfig({
      ...testEnv(),
      PAC_PUBLISH_DIR: publishDir,
      PAC_TASK_QUEUE_DRAFTING: uniqueName('llm-drafting'),
      PAC_LLM_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      PAC_LLM_MODEL: 'test-model',
    });
    client = await temporalClient(llmConfig);
    worker = await createWorkers(llmConfig, ['drafting']);
    running = worker.run();
    drafting = new DraftsClient(client, llmConfig);
  });
  let drafting: DraftsClient;

  afterAll(async () => {
    await worker?.shutdown();
    await running;
    await client?.connection.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('repairs an answer that calls http.send on the second attempt', async () => {
    const started = await drafting.propose({
      intent: `Containers must not run "sleep infinity" as their command [${uniqueName('llm')}]`,
      requester: 'ci:test',
      policyId: 'container-no-sleep-infinity',
      kinds: ['Pod', 'Deployment'],
    });
    const status = await drafting.waitFor(started.draftId, 'guardrails');
    expect(status.attempts).toHaveLength(2);
    expect(status.attempts[0]?.guardrails.failures.some((f) => f.startsWith('no-forbidden-builtins: calls http.send'))).toBe(true);
    expect(status.attempts[0]?.report.builtins).toContain('http.send');
    expect(status.phase).toBe('awaiting-approval');
    expect(status.draft?.generator).toBe('llm:test-model');
    expect(status.draft?.promptVersion).toBe('draft-policy.v1');
    // the second prompt carried the first attempt's failure; the retrieved policies were the few-shot examples
    expect(prompts).toHaveLength(2);
    expect(prompts[0]).not.toContain('previous attempt failed');
    expect(prompts[1]).toContain('Your previous attempt failed these checks');
    expect(prompts[0]).toMatch(/--- [a-z0-9-]+\/policy\.rego/);
    await drafting.reject(started.draftId, { reviewer: 'test', reason: 'cleanup' }, 'api');
  });
});
