/**
 * Replays the bad-input corpus against the real `pac` (spawned for every CLI case) and a real
 * `pac serve` (spawned once, on the real engines), samples the server's resident memory all along,
 * and prints a table by category. Used by test/integration/security-bad-input.test.ts.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  type ApiCall,
  type ApiResult,
  type BadInputCase,
  CATEGORIES,
  type CliCall,
  type CliResult,
  type RunContext,
  type TokenName,
} from './types';

export const ROOT = join(import.meta.dirname, '..', '..');
const PAC = join(ROOT, 'bin', 'pac.js');

export const TOKENS: Record<Exclude<TokenName, 'none'>, string> = {
  reader: 'bad-input-reader-token-0123',
  proposer: 'bad-input-proposer-token-0123',
  approver: 'bad-input-approver-token-0123',
};
export const TOKENS_ENV = `reader:${TOKENS.reader}:read,proposer:${TOKENS.proposer}:read+propose,approver:${TOKENS.approver}:read+approve`;

export function runCli(env: NodeJS.ProcessEnv, call: CliCall): Promise<CliResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [PAC, ...call.args], { cwd: ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      if (stdout.length < 1 << 20) stdout += String(d);
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < 1 << 20) stderr += String(d);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), call.timeoutMs ?? 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ exit: code, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(call.stdin ?? '');
  });
}

export function apiCaller(base: string): (call: ApiCall) => Promise<ApiResult> {
  return (call) =>
    new Promise((resolve, reject) => {
      const started = performance.now();
      const text = call.raw ?? (call.body === undefined ? undefined : JSON.stringify(call.body));
      const body = text === undefined ? undefined : Buffer.from(text);
      const headers: Record<string, string> = {};
      if (call.token && call.token !== 'none') headers.authorization = `Bearer ${TOKENS[call.token]}`;
      if (body !== undefined) {
        headers['content-type'] = call.contentType ?? 'application/json';
        if (!call.chunked) headers['content-length'] = String(body.length);
      }
      let answered = false;
      const timer = setTimeout(() => req.destroy(new Error('no answer within 60 s')), 60_000);
      const req = httpRequest(`${base}${call.path}`, { method: call.method, headers }, (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          const answer = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(answer);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, json, text: answer, ms: performance.now() - started });
        });
      });
      req.on('error', (error) => {
        // the server may answer (413, 401) and close before the whole body is sent: the answer still counts
        if (answered || /EPIPE|ECONNRESET/.test(String(error))) return;
        clearTimeout(timer);
        reject(error);
      });
      req.on('close', () => {
        if (!answered) {
          clearTimeout(timer);
          resolve({ status: 0, json: undefined, text: 'the connection closed without an answer', ms: performance.now() - started });
        }
      });
      if (body === undefined) {
        req.end();
        return;
      }
      // in 64 KiB pieces, with back-pressure, stopping as soon as the server has answered
      let at = 0;
      const pump = () => {
        while (at < body.length && !answered) {
          const piece = body.subarray(at, at + (1 << 16));
          at += piece.length;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
}

export interface Server {
  base: string;
  pid: number;
  log(): string;
  alive(): boolean;
  stop(): Promise<void>;
}

/** `pac serve` on a free loopback port; its log (stdout and stderr) is kept. */
export async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const child: ChildProcess = spawn(process.execPath, [PAC, 'serve', '--json', '--host', '127.0.0.1', '--port', '0'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  let exited = false;
  child.on('exit', () => {
    exited = true;
  });
  const base = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pac serve did not start:\n${log}`)), 60_000);
    const take = (d: Buffer) => {
      log += String(d);
      for (const line of log.split('\n')) {
        if (!line.startsWith('{"url"')) continue;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { url: string }).url);
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.on('exit', (code) => reject(new Error(`pac serve exited ${code}:\n${log}`)));
  });
  return {
    base,
    pid: child.pid as number,
    log: () => log,
    alive: () => !exited,
    stop: () =>
      new Promise((resolve) => {
        if (exited) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
      }),
  };
}

/** Resident memory of a process (bytes), sampled every `intervalMs`. */
export function sampleRss(pid: number, intervalMs = 100) {
  let max = 0;
  let samples = 0;
  const read = () => {
    try {
      const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      max = Math.max(max, kb * 1024);
      samples++;
    } catch {
      // the process is gone: the test sees it through alive()
    }
  };
  read();
  const timer = setInterval(read, intervalMs);
  return {
    max: () => max,
    samples: () => samples,
    stop: () => clearInterval(timer),
  };
}

/** A loopback listener that counts the connections it gets. */
export async function countingListener(): Promise<{ url: string; hits(): number; close(): Promise<void> }> {
  let hits = 0;
  const server = createServer((_req, res) => res.end('{}'));
  server.on('connection', () => hits++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits: () => hits,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface PartOutcome {
  ok: boolean;
  reason?: string;
  ms: number;
}

export interface CaseOutcome {
  case: BadInputCase;
  cli?: PartOutcome;
  api?: PartOutcome;
  scenario?: PartOutcome;
}

const matches = (text: string, pattern: RegExp | string | undefined) =>
  pattern === undefined || (typeof pattern === 'string' ? text.includes(pattern) : pattern.test(text));

async function cliPart(c: BadInputCase, ctx: RunContext): Promise<PartOutcome | undefined> {
  if (!c.cli) return undefined;
  const file = c.cli.file ? ctx.file(c.cli.file.name, c.cli.file.content) : '';
  const got = await ctx.cli({ args: c.cli.args(file), ...(c.cli.stdin ? { stdin: c.cli.stdin } : {}) });
  const output = `${got.stderr}\n${got.stdout}`;
  const problems = [
    got.exit !== null && c.cli.exit.includes(got.exit) ? '' : `exit ${got.exit}, expected ${c.cli.exit.join('/')}`,
    matches(output, c.cli.shows) ? '' : `output does not show ${String(c.cli.shows)}`,
    c.cli.maxMs && got.ms > c.cli.maxMs ? `took ${Math.round(got.ms)} ms (limit ${c.cli.maxMs})` : '',
  ].filter(Boolean);
  return {
    ok: problems.length === 0,
    ms: got.ms,
    ...(problems.length ? { reason: `${problems.join('; ')} — ${output.trim().slice(0, 300)}` } : {}),
  };
}

async function apiPart(c: BadInputCase, ctx: RunContext): Promise<PartOutcome | undefined> {
  if (!c.api) return undefined;
  const got = await ctx.api(c.api.call);
  const message = got.status >= 400 ? String(got.json?.error?.message ?? got.text) : got.text;
  const problems = [
    c.api.status.includes(got.status) ? '' : `status ${got.status}, expected ${c.api.status.join('/')}`,
    matches(message, c.api.shows) ? '' : `answer does not show ${String(c.api.shows)}`,
    c.api.maxMs && got.ms > c.api.maxMs ? `took ${Math.round(got.ms)} ms (limit ${c.api.maxMs})` : '',
  ].filter(Boolean);
  return {
    ok: problems.length === 0,
    ms: got.ms,
    ...(problems.length ? { reason: `${problems.join('; ')} — ${message.slice(0, 300)}` } : {}),
  };
}

async function scenarioPart(c: BadInputCase, ctx: RunContext): Promise<PartOutcome | undefined> {
  if (!c.scenario) return undefined;
  const started = performance.now();
  try {
    const reason = await c.scenario(ctx);
    return { ok: reason === undefined, ms: performance.now() - started, ...(reason ? { reason } : {}) };
  } catch (error) {
    return { ok: false, ms: performance.now() - started, reason: `threw: ${(error as Error).message}` };
  }
}

/** Every case, `concurrency` at a time; each case's file in its own directory under `tmp`. */
export async function runCorpus(
  cases: readonly BadInputCase[],
  make: (dir: string) => RunContext,
  tmp: string,
  concurrency: number,
  progress?: (outcome: CaseOutcome) => void,
): Promise<CaseOutcome[]> {
  const outcomes: CaseOutcome[] = new Array(cases.length);
  // timed cases first, one at a time; then the rest `concurrency` at a time
  const order = [...cases.keys()].sort((a, b) => Number(Boolean(cases[b]?.serial)) - Number(Boolean(cases[a]?.serial)));
  const serial = order.filter((i) => cases[i]?.serial).length;
  const runOne = async (i: number) => {
    const c = cases[i] as BadInputCase;
    const dir = join(tmp, String(i));
    mkdirSync(dir, { recursive: true });
    const ctx = make(dir);
    const guard = (part: Promise<PartOutcome | undefined>) =>
      part.catch((error: Error): PartOutcome => ({ ok: false, ms: 0, reason: `threw: ${error.message}` }));
    const [cli, api, scenario] = await Promise.all([guard(cliPart(c, ctx)), guard(apiPart(c, ctx)), scenarioPart(c, ctx)]);
    outcomes[i] = { case: c, ...(cli ? { cli } : {}), ...(api ? { api } : {}), ...(scenario ? { scenario } : {}) };
    progress?.(outcomes[i] as CaseOutcome);
  };
  let next = 0;
  const pool = async (size: number, until: number) => {
    const one = async () => {
      while (next < until) await runOne(order[next++] as number);
    };
    await Promise.all(Array.from({ length: size }, one));
  };
  await pool(1, serial);
  await pool(concurrency, order.length);
  return outcomes;
}

export const passed = (o: CaseOutcome) => [o.cli, o.api, o.scenario].every((p) => p === undefined || p.ok);

/** The table by category: cases, passed, and per channel. */
export function formatTable(outcomes: readonly CaseOutcome[]): string {
  const rows = [['category', 'cases', 'passed', 'malformed', 'hostile', 'CLI runs', 'API calls', 'scenarios']];
  const count = (list: readonly CaseOutcome[], part: 'cli' | 'api' | 'scenario') => {
    const run = list.filter((o) => o[part]);
    return `${run.filter((o) => o[part]?.ok).length}/${run.length}`;
  };
  for (const category of [...CATEGORIES, 'total' as const]) {
    const list = outcomes.filter((o) => category === 'total' || o.case.category === category);
    rows.push([
      category,
      String(list.length),
      String(list.filter(passed).length),
      String(list.filter((o) => o.case.kind === 'malformed').length),
      String(list.filter((o) => o.case.kind === 'hostile').length),
      count(list, 'cli'),
      count(list, 'api'),
      count(list, 'scenario'),
    ]);
  }
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  return rows
    .map((r) => r.map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number))).join('  '))
    .join('\n');
}

export function writeFileIn(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
