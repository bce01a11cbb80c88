/**
 * A separate Node process for the observation-store integration tests (run with `node --import tsx`):
 *
 *   write <count> <tag>            records <count> observations (names <tag>-<i>, over three days)
 *                                  with small batches and files, pausing every 20 records, then
 *                                  exits normally (files sealed)
 *   write-and-die <count> <tag>    records and flushes, then SIGKILLs itself (an open file left behind)
 *   compact-loop <stop-file>       prints "ready", then compacts again and again until <stop-file> exists
 *   compact-crash <step> [n]       compacts and SIGKILLs itself at the n-th (default first) <step>
 *
 * The store is the one of PAC_OBSERVATIONS_DIR; it prints one JSON line of what it did.
 */
import { existsSync } from 'node:fs';
import { closeWriters, compactObservations, observationRecorder } from '../../activities/observations';
import type { CompactionStep } from '../../activities/observations/compact';
import { loadConfig } from '../../infra/config';

const config = loadConfig();
const [mode, arg, tag] = process.argv.slice(2);
const DAY = 86_400_000;

const SOURCES = ['cli', 'api', 'ci'] as const;

async function write(count: number, name: string, die: boolean) {
  // small files while writing alongside a compactor; one open file for the writer that dies
  const recorder = observationRecorder(config, die ? { batch: 7 } : { batch: 7, flushMs: 5, rotateBytes: 16 * 1024 });
  const now = Date.now();
  for (let i = 0; i < count; i++) {
    if (!die && i % 20 === 19) await new Promise((resolve) => setTimeout(resolve, 15));
    recorder.record({
      source: SOURCES[i % 3] as (typeof SOURCES)[number],
      time: new Date(now - (i % 3) * DAY).toISOString(),
      manifest: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${name}-${i}`, namespace: 'load' },
        spec: { containers: [{ name: 'c', image: `nginx:1.${i % 30}`, env: [{ name: 'TOKEN', value: `secret-${name}-${i}` }] }] },
      },
      denied: i % 2 ? ['image-digest-pinned'] : [],
    });
  }
  recorder.flush();
  process.stdout.write(`${JSON.stringify({ wrote: count, pid: process.pid })}\n`);
  if (die) process.kill(process.pid, 'SIGKILL');
  closeWriters();
}

async function compactLoop(stopFile: string) {
  let rounds = 0;
  let records = 0;
  process.stdout.write('ready\n');
  while (!existsSync(stopFile)) {
    records += compactObservations(config).observations.records;
    rounds++;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  process.stdout.write(`${JSON.stringify({ rounds, records })}\n`);
}

function compactCrash(step: CompactionStep, nth: number) {
  let seen = 0;
  compactObservations(config, {
    onStep: (s) => {
      if (s === step && ++seen === nth) process.kill(process.pid, 'SIGKILL');
    },
  });
  process.stdout.write(`${JSON.stringify({ crashed: false })}\n`);
}

if (mode === 'write' || mode === 'write-and-die') await write(Number(arg), tag ?? 'w', mode === 'write-and-die');
else if (mode === 'compact-loop') await compactLoop(arg as string);
else if (mode === 'compact-crash') compactCrash(arg as CompactionStep, Number(tag ?? 1));
else throw new Error(`unknown mode ${mode}`);
