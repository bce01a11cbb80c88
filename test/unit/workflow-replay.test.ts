/**
 * Replay: the recorded histories of every workflow type (test/replay/histories, made by `npm run
 * record:histories` against the real engines) replay against the current workflow code with
 * Worker.runReplayHistories. A change to a workflow that would break running executions — drafts
 * wait up to 7 days across deploys — fails here unless it is guarded by patched().
 *
 * The last tests prove the guard works: the same histories replayed against a deliberately changed
 * bundle (one added timer in draftPolicy and in lifecycle, bundled through a webpack loader that
 * edits the source in memory) fail with a DeterminismViolationError, and the same change inside
 * `if (patched(…))` replays cleanly.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  bundleWorkflowCode,
  DefaultLogger,
  makeTelemetryFilterString,
  Runtime,
  Worker,
  type WorkflowBundleWithSourceMap,
} from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { beforeAll, describe, expect, it } from 'vitest';
import { HISTORIES_DIR, historyOf, type RecordedHistory } from '../replay/record';

const workflowsPath = fileURLToPath(new URL('../../workflows/index.ts', import.meta.url));
const loader = createRequire(import.meta.url).resolve('../replay/mutate-loader.cjs');

const recorded: RecordedHistory[] = readdirSync(HISTORIES_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => JSON.parse(readFileSync(join(HISTORIES_DIR, f), 'utf8')) as RecordedHistory);

type Edit = { find: string; replace: string };
/** Imports the edits below use, added at the top of an edited workflow file. */
const IMPORTS: Edit = {
  find: 'import {',
  replace: "import { patched as replayTestPatched, sleep as replayTestSleep } from '@temporalio/workflow';\nimport {",
};

/** The workflows bundle, optionally with text edits applied to some workflow files. */
function bundle(changes: { file: RegExp; edits: Edit[] }[] = []): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath,
    logger: { trace() {}, debug() {}, info() {}, warn() {}, error: (m: string) => process.stderr.write(`${m}\n`), log() {} } as never,
    webpackConfigHook: (config) => {
      config.module?.rules?.push(
        ...changes.map((change) => ({
          test: change.file,
          enforce: 'pre' as const,
          use: [{ loader, options: { edits: [IMPORTS, ...change.edits] } }],
        })),
      );
      return config;
    },
  });
}

/** Replays every history of `types` against a bundle; the error of each, by file name. */
async function replay(workflowBundle: WorkflowBundleWithSourceMap, types?: string[]): Promise<Record<string, Error | undefined>> {
  const chosen = recorded.filter((r) => !types || types.includes(r.workflowType));
  const results: Record<string, Error | undefined> = {};
  const histories = chosen.map((r) => ({ workflowId: r.workflowId, history: historyOf(r) }));
  let i = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'replay-test' }, histories)) {
    const r = chosen[i++] as RecordedHistory;
    results[`${r.workflowType}-${r.scenario}`] = result.error;
  }
  return results;
}

describe('recorded histories', () => {
  it('cover every workflow type, and draftPolicy in each of its outcomes', () => {
    expect(new Set(recorded.map((r) => r.workflowType))).toEqual(
      new Set(['healthcheck', 'lifecycle', 'monitor', 'retrainAll', 'draftPolicy', 'troubleshoot']),
    );
    expect(recorded.filter((r) => r.workflowType === 'draftPolicy').map((r) => r.scenario)).toEqual(
      expect.arrayContaining(['published', 'rejected', 'expired', 'failed', 'refused-then-approved']),
    );
  });
});

describe('replay', () => {
  let current: WorkflowBundleWithSourceMap;
  beforeAll(async () => {
    // the nondeterminism the last tests provoke is expected: keep the core's warnings about it quiet
    try {
      Runtime.install({
        logger: new DefaultLogger('ERROR'),
        telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR', other: 'ERROR' }), forward: {} } },
      });
    } catch {
      // a runtime is installed already
    }
    current = await bundle();
  }, 120_000);

  it('every recorded history replays against the current workflow code', async () => {
    const results = await replay(current);
    expect(Object.keys(results)).toHaveLength(recorded.length);
    const failures = Object.entries(results).flatMap(([name, error]) => (error ? [`${name}: ${error.message}`] : []));
    expect(failures).toEqual([]);
  }, 120_000);

  /** One added timer: before the first activity of draftPolicy, and of lifecycle. */
  const change = (guard?: string) => {
    const timer = guard ? `if (replayTestPatched('${guard}')) await replayTestSleep(1);` : 'await replayTestSleep(1);';
    return [
      { file: /workflows[\\/]draft\.ts$/, edits: [{ find: '  // 1. retrieve\n', replace: `  // 1. retrieve\n  ${timer}\n` }] },
      {
        file: /workflows[\\/]lifecycle\.ts$/,
        edits: [
          {
            find: '  const run = await bookkeeping.startTrainingRun({',
            replace: `  ${timer}\n  const run = await bookkeeping.startTrainingRun({`,
          },
        ],
      },
    ];
  };

  it('an unpatched change (one added timer) fails every affected history with a DeterminismViolationError', async () => {
    const results = await replay(await bundle(change()), ['draftPolicy', 'lifecycle']);
    expect(Object.keys(results).length).toBeGreaterThanOrEqual(6);
    for (const [name, error] of Object.entries(results)) {
      expect(error, name).toBeInstanceOf(DeterminismViolationError);
      expect(error?.message, name).toMatch(/[Nn]ondeterminism/);
    }
  }, 180_000);

  it('the same change guarded by patched() replays cleanly', async () => {
    const results = await replay(await bundle(change('replay-test-timer')), ['draftPolicy', 'lifecycle']);
    expect(Object.values(results).filter(Boolean)).toEqual([]);
  }, 180_000);
});
