/**
 * The first workflow against the real Temporal dev server, and the durability proof: a worker is
 * SIGKILLed while the workflow waits on a timer, a new worker process picks it up and finishes it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Client, WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorker } from '../../workers/main';
import { temporalClient } from '../../workers/temporal';
import { healthcheck } from '../../workflows';
import { testConfig, testEnv, uniqueName } from './harness';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let client: Client;

beforeAll(async () => {
  client = await temporalClient(testConfig());
});

afterAll(async () => {
  await client?.connection.close();
});

async function eventTypes(handle: WorkflowHandle): Promise<string[]> {
  const history = await handle.fetchHistory();
  return (history.events ?? []).map((event) => {
    const [key] = Object.keys(event).filter((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k]);
    return key?.replace(/EventAttributes$/, '') ?? 'unknown';
  });
}

describe('healthcheck workflow', () => {
  it('runs on an in-process worker and reports every engine healthy with its version', async () => {
    const config = testConfig();
    const taskQueue = uniqueName('hc');
    const worker = await createWorker(config, { taskQueue });
    const running = worker.run();
    try {
      const workflowId = uniqueName('healthcheck');
      const handle = await client.workflow.start(healthcheck, { taskQueue, workflowId, args: [{}] });
      const result = await handle.result();
      expect(result.healthy).toBe(true);
      expect(result.workflowId).toBe(workflowId);
      expect(result.rounds).toHaveLength(1);
      const byEngine = Object.fromEntries(result.rounds[0]?.map((h) => [h.engine, h]) ?? []);
      expect(Object.keys(byEngine).sort()).toEqual(['mlflow', 'opa', 'temporal', 'weaviate']);
      expect(byEngine.opa?.version).toBe(config.versions.opa.version.replace(/^v/, ''));
      expect(byEngine.mlflow?.version).toBe(config.versions.mlflow.version);
      expect(byEngine.weaviate?.version).toBe(config.versions.weaviate.version.replace(/^v/, ''));
      expect(byEngine.temporal?.version).toMatch(/^\d+\.\d+\.\d+/);
      const description = await handle.describe();
      expect(description.status.name).toBe('COMPLETED');
    } finally {
      await worker.shutdown();
      await running;
    }
  });
});

describe('durability', () => {
  const children: ChildProcess[] = [];

  function startWorkerProcess(taskQueue: string, env: NodeJS.ProcessEnv): ChildProcess {
    const child = spawn(process.execPath, ['bin/pac.js', 'worker'], {
      cwd: root,
      env: { ...process.env, ...env, PAC_TASK_QUEUE: taskQueue },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code, signal) => {
      if (code && code !== 0) process.stderr.write(`worker process exited with ${code} (${signal}):\n${stderr}\n`);
    });
    children.push(child);
    return child;
  }

  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('finishes a workflow after its worker is SIGKILLed while it waits on a timer', async () => {
    const env = testEnv();
    const taskQueue = uniqueName('durable');
    const first = startWorkerProcess(taskQueue, env);

    const handle = await client.workflow.start(healthcheck, {
      taskQueue,
      workflowId: uniqueName('healthcheck-durable'),
      args: [{ pauseMs: 6_000 }],
    });

    // wait until the first round is done and the durable timer is running
    const deadline = Date.now() + 90_000;
    while (!(await eventTypes(handle)).includes('timerStarted')) {
      if (Date.now() > deadline) throw new Error('the workflow never reached its timer');
      await sleep(200);
    }
    const exited = new Promise((r) => first.once('exit', (_code, signal) => r(signal)));
    first.kill('SIGKILL');
    expect(await exited).toBe('SIGKILL');

    const before = await eventTypes(handle);
    expect(before.filter((t) => t === 'activityTaskCompleted')).toHaveLength(4);
    expect(before).not.toContain('workflowExecutionCompleted');

    startWorkerProcess(taskQueue, env);
    const result = await handle.result();
    expect(result.healthy).toBe(true);
    expect(result.rounds).toHaveLength(2);

    const after = await eventTypes(handle);
    // the first round ran once: 4 checks before the kill, 4 after, none repeated
    expect(after.filter((t) => t === 'activityTaskScheduled')).toHaveLength(8);
    expect(after.filter((t) => t === 'timerFired')).toHaveLength(1);
    expect(after.at(-1)).toBe('workflowExecutionCompleted');
  });
});
