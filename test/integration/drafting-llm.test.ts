/**
 * The LLM path of drafting against a scripted OpenAI-compatible server (a loopback HTTP server
 * that answers the way a model would; no model can be downloaded here), with the real Temporal,
 * Weaviate, OPA and MLflow:
 *
 * - repair: the first answer's own tests fail; the failure goes back into the prompt and the
 *   second answer passes the guardrails;
 * - refusal: a model that declines ends the draft `failed` with its words, asked once (no retries);
 * - timeout: a model that never answers ends the draft `failed` after the bounded retries, naming
 *   the timeout, instead of hanging the workflow.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config';
import { DraftsClient } from '../../workers/drafts';
import { createWorkers, type PacWorker } from '../../workers/main';
import { temporalClient } from '../../workers/temporal';
import { testEnv, uniqueName } from './harness';

type Script = (prompt: string, call: number) => string | 'hang';

const PKG = 'container_no_privileged_port_llm';
const policy = `package kpc.policies.${PKG}

import data.kpc.lib.k8s

deny contains msg if {
\tsome entry in k8s.containers
\tsome port in object.get(entry.container, "ports", [])
\tport.containerPort < 1024
\tmsg := sprintf("%s: container %q (%s) listens on port %v; use 1024 or higher", [k8s.resource, entry.name, entry.list, port.containerPort])
}
`;
const pod = (port: number) =>
  `{"kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"containers": [{"name": "a", "ports": [{"containerPort": ${port}}]}]}}`;
const tests = (allowPort: number) => `package kpc.policies.${PKG}_test

import data.kpc.policies.${PKG}

test_deny_low_port if {
\tcount(${PKG}.deny) == 1 with input as ${pod(80)}
}

test_allow_high_port if {
\tcount(${PKG}.deny) == 0 with input as ${pod(allowPort)}
}
`;
const answer = (allowPort: number) => `\`\`\`rego\n${policy}\`\`\`\n\n\`\`\`rego\n${tests(allowPort)}\`\`\`\n`;

describe('LLM drafting against a scripted OpenAI-compatible server', () => {
  let server: Server;
  let worker: PacWorker;
  let running: Promise<void>;
  let client: Client;
  let drafts: DraftsClient;
  const calls = new Map<string, string[]>();
  const scripts = new Map<string, Script>();
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      let raw = '';
      req.on('data', (c) => {
        raw += c;
      });
      req.on('end', () => {
        const body = JSON.parse(raw) as { model: string; messages: { content: string }[] };
        const prompt = body.messages.map((m) => m.content).join('\n');
        // the script is chosen by the tag the test put in the intent
        const tag = prompt.match(/\[(llm-[a-z]+)-/)?.[1] ?? '';
        const seen = calls.get(tag) ?? [];
        seen.push(prompt);
        calls.set(tag, seen);
        const text = scripts.get(tag)?.(prompt, seen.length) ?? 'no script';
        if (text === 'hang') {
          held.push(res);
          return;
        }
        res.setHeader('content-type', 'application/json');
        res.end(
          JSON.stringify({
            model: body.model,
            choices: [{ message: { content: text } }],
            usage: { prompt_tokens: 800, completion_tokens: 200 },
          }),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const config = loadConfig({
      ...testEnv(),
      PAC_TASK_QUEUE_DRAFTING: uniqueName('llm-scripted'),
      PAC_LLM_BASE_URL: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
      PAC_LLM_MODEL: 'scripted-model',
      PAC_LLM_TIMEOUT_MS: '1500',
    });
    client = await temporalClient(config);
    worker = await createWorkers(config, ['drafting']);
    running = worker.run();
    drafts = new DraftsClient(client, config);
  });

  afterAll(async () => {
    for (const res of held) res.destroy();
    await worker?.shutdown();
    await running;
    await client?.connection.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const propose = (tag: string) =>
    drafts.propose({
      intent: `Containers must not listen on a port below 1024 [${uniqueName(tag)}]`,
      requester: 'ci:test',
      policyId: 'container-no-privileged-port-llm',
      kinds: ['Pod', 'Deployment'],
    });

  it('repairs an answer whose own tests fail, with the failure in the next prompt', async () => {
    // first answer: the allow test uses port 443, which the policy denies; second: port 8443
    scripts.set('llm-repair', (prompt) => answer(prompt.includes('Your previous attempt failed these checks') ? 8443 : 443));
    const { draftId } = await propose('llm-repair');
    const status = await drafts.waitFor(draftId, 'guardrails');
    expect(status.phase).toBe('awaiting-approval');
    expect(status.attempts).toHaveLength(2);
    expect(status.attempts[0]?.guardrails.failures.some((f) => f.startsWith('tests-pass:') && f.includes('test_allow_high_port'))).toBe(
      true,
    );
    const prompts = calls.get('llm-repair') ?? [];
    expect(prompts).toHaveLength(2);
    expect(prompts[1]).toMatch(/tests-pass: .*test_allow_high_port/);
    expect(status.draft?.generator).toBe('llm:scripted-model');
    await drafts.reject(draftId, { reviewer: 'test', reason: 'cleanup' }, 'api');
  }, 120_000);

  it('ends the draft failed with the model’s words when the model declines, asking once', async () => {
    scripts.set('llm-refusal', () => "I'm sorry, but I can't help with writing admission policies.");
    const { draftId } = await propose('llm-refusal');
    const status = await drafts.waitFor(draftId, 'guardrails');
    expect(status.phase).toBe('failed');
    expect(status.reasons.join('\n')).toMatch(/the model declined to write the policy: "I'm sorry/);
    expect(calls.get('llm-refusal')).toHaveLength(1);
    expect(status.attempts).toHaveLength(0);
  }, 120_000);

  it('ends the draft failed, naming the timeout, when the model never answers', async () => {
    scripts.set('llm-timeout', () => 'hang');
    const started = Date.now();
    const { draftId } = await propose('llm-timeout');
    const status = await drafts.waitFor(draftId, 'guardrails');
    expect(status.phase).toBe('failed');
    expect(status.reasons.join('\n')).toMatch(/timeout|timed out|aborted/i);
    // bounded: a few attempts of 1.5 s with back-off, not the activity's 5 minutes
    const asked = calls.get('llm-timeout')?.length ?? 0;
    expect(asked).toBeGreaterThanOrEqual(1);
    expect(asked).toBeLessThanOrEqual(3);
    expect(Date.now() - started).toBeLessThan(90_000);
  }, 120_000);
});
