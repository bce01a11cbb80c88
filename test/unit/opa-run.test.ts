/**
 * The process runner of the OPA access module: exit status and output, stdin, timeouts that kill
 * the whole process group, a missing binary, abort and the output cap. The process run here is
 * node itself (these tests are about process handling; OPA is exercised in the integration tests).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OpaCommandError, OpaNotFoundError, OpaTimeoutError } from '../../activities/opa/errors';
import { runOpa } from '../../activities/opa/run';

const node = process.execPath;
const dir = mkdtempSync(join(tmpdir(), 'pac-opa-run-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gone(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return true;
  }
  // killed but not yet reaped by its new parent
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (condition()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return condition();
}

describe('runOpa', () => {
  it('resolves with exit code, stdout and stderr whatever the exit code', async () => {
    const result = await runOpa({
      path: node,
      args: ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(2)'],
      timeoutMs: 10_000,
    });
    expect(result).toMatchObject({ exitCode: 2, signal: null, stdout: 'out', stderr: 'err' });
    expect(result.durationMs).toBeGreaterThan(0);
  });

  it('writes stdin and closes it', async () => {
    const result = await runOpa({
      path: node,
      args: ['-e', 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).who))'],
      stdin: JSON.stringify({ who: 'world' }),
      timeoutMs: 10_000,
    });
    expect(result.stdout).toBe('world\n');
  });

  it('kills the process and its children on timeout', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const script = `
      const { spawn } = require('node:child_process');
      const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      require('node:fs').writeFileSync(${JSON.stringify(pidFile)}, String(child.pid));
      setInterval(() => {}, 1000);
    `;
    const started = Date.now();
    const error = await runOpa({ path: node, args: ['-e', script], timeoutMs: 1500 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpaTimeoutError);
    expect((error as OpaTimeoutError).timeoutMs).toBe(1500);
    expect((error as OpaTimeoutError).message).toContain('opa -e');
    expect(Date.now() - started).toBeLessThan(5000);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitUntil(() => gone(grandchild), 3000)).toBe(true);
  });

  it('reports a missing binary as OpaNotFoundError', async () => {
    const path = join(dir, 'no-such-opa');
    const error = await runOpa({ path, args: ['version'], timeoutMs: 1000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpaNotFoundError);
    expect((error as OpaNotFoundError).path).toBe(path);
    expect((error as Error).message).toContain('npm run install:engines');
  });

  it('does not blame the binary for a missing working directory', async () => {
    const error = await runOpa({ path: node, args: ['-e', ''], timeoutMs: 1000, cwd: join(dir, 'nope') }).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(OpaNotFoundError);
    expect((error as Error).message).toContain('working directory');
  });

  it('kills the process when aborted and rejects with the reason', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('cancelled by the workflow')), 200);
    const error = await runOpa({
      path: node,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      timeoutMs: 10_000,
      signal: controller.signal,
    }).catch((e: unknown) => e);
    expect((error as Error).message).toBe('cancelled by the workflow');
  });

  it('kills a process whose output exceeds the cap', async () => {
    const error = await runOpa({
      path: node,
      args: ['-e', 'setInterval(() => process.stdout.write("x".repeat(4096)), 1)'],
      timeoutMs: 10_000,
      maxOutputBytes: 64 * 1024,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpaCommandError);
    expect((error as Error).message).toContain('output exceeded 65536 bytes');
  });

  it('refuses a timeout that is not positive', async () => {
    await expect(runOpa({ path: node, args: [], timeoutMs: 0 })).rejects.toThrow(RangeError);
  });
});
