/**
 * pac — the kube-pac-copilot command line. A thin client of the engines, the Temporal client and
 * the activities' pure functions. Every command takes --json.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Config, ConfigError, loadConfig } from '../infra/config';
import { down, SERVER_ENGINES, type ServerEngine, status, up } from '../infra/engines';
import { installEngines } from '../infra/install';
import { createWorker, createWorkers } from '../workers/main';
import { temporalClient, workflowUiUrl } from '../workers/temporal';
import { healthcheck } from '../workflows';
import { decideCommand, draftCommand, draftsCommand } from './drafts';
import { analyzeCommand, CliUsageError, driftCommand, modelsCommand, scheduleCommand, trainCommand } from './models';
import { serveCommand } from './serve';

/** The request `pac demo` drafts: a policy the corpus does not have. */
const DEMO_DRAFT_REQUEST = fileURLToPath(new URL('../examples/draft-requests/pod-host-aliases.yaml', import.meta.url));

import { autofixCommand, ciLogCommand, lintCommand, troubleshootCommand } from './troubleshoot';

const USAGE = `usage: pac <command> [options]

commands:
  install                 install the engines that are missing (Temporal CLI, OPA, Weaviate, MLflow)
  up [engine...]          start the engines (temporal, mlflow, weaviate) and wait until healthy
  down [engine...]        stop the engines that 'up' started
  status                  health, URL and version of every engine
  worker                  run workers on the main, lifecycle and drafting task queues until interrupted
  healthcheck             run the healthcheck workflow (needs a running worker: 'pac worker')
  demo                    up + the model lifecycle of every family end to end; prints MLflow links
  train                   run the lifecycle workflow (ingest → features → train → evaluate → register)
  models                  registered model versions, aliases and metrics
  drift                   run the drift monitor on the ranker champion now (retrains when drifted)
  analyze <file|dir|->    the policies that deny each resource (real OPA) and the ranker's top-k
  schedule                create or update the daily retrain and monitor Temporal Schedules
  draft --request-file F  start a policy draft (retrieve → generate → opa test → guardrails → await approval)
  drafts [id]             drafts waiting for a decision (--all: every running draft); with an id, its status
  approve <id>            approve a draft awaiting approval (--reviewer, --comment); it is then published
  reject <id>             reject a draft (--reviewer, --reason)
  serve                   the HTTP API (PAC_API_HOST:PAC_API_PORT, OpenAPI UI at /docs, /metrics)
  troubleshoot <manifest> why a manifest is denied: failure class, smallest denied manifest, verified fixes
  autofix <manifest>      apply verified fixes for every denial (dry run unless --write)
  lint <file.rego|dir>    opa check --strict plus our own Rego rules (exit code 1 on errors)
  ci-log <file|->         root cause, fix and evidence lines of a failed CI log

options:
  --json                  machine-readable output on stdout
  --pause-ms N            healthcheck: wait N ms between two rounds of checks
  --family F              train: ranker | fix | latency | all (default all)
  --wait                  train: wait for the result, with progress (runs an in-process worker)
  --seed N, --count N     train/drift: generator seed and number of manifests (ranker)
  --shift X               drift: shift the generated population (0-1) to see drift
  --no-retrain            drift: report only, do not start a retrain
  --top K                 analyze: how many ranked policies to show (default 5)
  --request-file F        draft: the request (JSON or YAML; - for standard input)
  --wait-for W            draft: wait for guardrails (passed → exit 0, failed → 3) or decision
                          (approved → 0, guardrails failed → 3, rejected → 4, expired → 5)
  --worker                draft: run an in-process worker while waiting (no 'pac worker' running)
  --reviewer R            approve/reject: who decides
  --comment C, --reason R approve: optional comment; reject: the reason (required)
  --all                   drafts: every running draft, not only those awaiting approval
  --host H, --port N      serve: listen address (default PAC_API_HOST, PAC_API_PORT)
  --policy ID             troubleshoot/autofix: only this policy's denial
  --write                 autofix: write the fixed YAML back (keeps comments and key order)
  -h, --help              this text
`;

function engineArgs(positionals: string[]): ServerEngine[] {
  if (positionals.length === 0) return SERVER_ENGINES;
  for (const name of positionals) {
    if (!SERVER_ENGINES.includes(name as ServerEngine)) {
      throw new UsageError(`unknown engine "${name}": expected one of ${SERVER_ENGINES.join(', ')}`);
    }
  }
  return positionals as ServerEngine[];
}

class UsageError extends Error {}

async function runHealthcheck(
  config: Config,
  command: string,
  json: boolean,
  pauseArg: string | undefined,
  print: (data: unknown, text: string) => void,
): Promise<number> {
  const pauseMs = pauseArg === undefined ? 0 : Number(pauseArg);
  if (!Number.isInteger(pauseMs) || pauseMs < 0)
    throw new UsageError(`--pause-ms: expected a whole number of milliseconds, got "${pauseArg}"`);
  if (command === 'demo') await up(config);
  const worker = command === 'demo' ? await createWorker(config) : undefined;
  const running = worker?.run();
  try {
    const client = await temporalClient(config);
    const workflowId = `healthcheck-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    if (!json) process.stderr.write(`starting workflow ${workflowId} on task queue ${config.temporal.taskQueues.main} ...\n`);
    const handle = await client.workflow.start(healthcheck, {
      taskQueue: config.temporal.taskQueues.main,
      workflowId,
      args: [{ pauseMs }],
    });
    const result = await handle.result();
    await client.connection.close();
    const url = workflowUiUrl(config, workflowId, handle.firstExecutionRunId);
    const last = result.rounds[result.rounds.length - 1] ?? [];
    print(
      { workflowId, runId: handle.firstExecutionRunId, result, temporalUi: url, mlflowUi: config.mlflow.uri },
      [
        `workflow ${workflowId}: ${result.healthy ? 'completed, every engine healthy' : 'completed, some engine unhealthy'}`,
        ...last.map((h) => `  ${h.engine.padEnd(9)} ${h.healthy ? 'healthy' : 'UNHEALTHY'} ${h.version ?? ''}`),
        '',
        `Temporal UI (this workflow): ${url}`,
        `MLflow UI:                   ${config.mlflow.uri}`,
      ].join('\n'),
    );
    return result.healthy ? 0 : 1;
  } finally {
    await worker?.shutdown();
    await running;
  }
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'pause-ms': { type: 'string' },
      family: { type: 'string' },
      wait: { type: 'boolean', default: false },
      seed: { type: 'string' },
      count: { type: 'string' },
      shift: { type: 'string' },
      'no-retrain': { type: 'boolean', default: false },
      top: { type: 'string' },
      'request-file': { type: 'string' },
      'wait-for': { type: 'string' },
      worker: { type: 'boolean', default: false },
      reviewer: { type: 'string' },
      comment: { type: 'string' },
      reason: { type: 'string' },
      all: { type: 'boolean', default: false },
      host: { type: 'string' },
      port: { type: 'string' },
      policy: { type: 'string' },
      write: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return command || values.help ? 0 : 2;
  }
  const json = values.json;
  const print = (data: unknown, text: string) => process.stdout.write(json ? `${JSON.stringify(data, null, 2)}\n` : `${text}\n`);
  const config = loadConfig();

  switch (command) {
    case 'install': {
      const steps = await installEngines(config);
      print(
        { steps },
        steps.map((s) => `${s.engine} ${s.version}: ${s.installed ? `installed in ${s.seconds.toFixed(1)}s` : 'present'}`).join('\n'),
      );
      return 0;
    }
    case 'up': {
      const results = await up(config, engineArgs(rest));
      print(
        { engines: results },
        [
          ...results.map((r) => `${r.engine}: ${r.action} (pid ${r.pid}) ${r.health.url ?? ''}`),
          `Temporal UI: ${config.temporal.uiUrl}`,
          `MLflow UI:   ${config.mlflow.uri}`,
        ].join('\n'),
      );
      return 0;
    }
    case 'down': {
      const results = await down(config, engineArgs(rest), () => {});
      print(
        { engines: results },
        Object.entries(results)
          .map(([engine, r]) => `${engine}: ${r}`)
          .join('\n'),
      );
      return 0;
    }
    case 'status': {
      const report = await status(config);
      print(
        report,
        Object.entries(report.engines)
          .map(([engine, h]) =>
            `${engine.padEnd(9)} ${h.healthy ? 'healthy  ' : 'unhealthy'} ${h.version ?? ''} ${h.url ?? ''} ${h.healthy ? '' : (h.detail ?? '')}`.trimEnd(),
          )
          .join('\n'),
      );
      return Object.values(report.engines).every((h) => h.healthy) ? 0 : 1;
    }
    case 'worker': {
      const worker = await createWorkers(config);
      process.stderr.write(
        `workers polling task queues ${Object.values(config.temporal.taskQueues)
          .map((q) => `"${q}"`)
          .join(', ')} on ${config.temporal.address}\n`,
      );
      await worker.run();
      return 0;
    }
    case 'healthcheck':
      return runHealthcheck(config, command, json, values['pause-ms'], print);
    case 'demo': {
      const healthy = await runHealthcheck(config, command, json, values['pause-ms'], print);
      if (healthy !== 0) return healthy;
      if (!json) process.stdout.write('\nRunning the model lifecycle for every family (ranker, fix, latency) ...\n');
      await trainCommand(config, { family: 'all', wait: true, json, count: '2000' });
      if (!json)
        process.stdout.write('\nDrafting a policy from a request (retrieve → generate → opa test → guardrails → await approval) ...\n');
      await draftCommand(config, { requestFile: DEMO_DRAFT_REQUEST, waitFor: 'guardrails', json, worker: true });
      if (!json)
        process.stdout.write(
          `\nModels: ${config.mlflow.uri}/#/models   Temporal UI: ${config.temporal.uiUrl}\nThe draft waits for a decision: run \`npx pac worker\` and approve or reject it (README: "Drafting a policy").\nThe engines keep running; stop them with: npx pac down\n`,
        );
      return 0;
    }
    case 'train':
      return trainCommand(config, { family: values.family, wait: values.wait, json, seed: values.seed, count: values.count });
    case 'models':
      return modelsCommand(config, json);
    case 'drift':
      return driftCommand(config, { json, seed: values.seed, count: values.count, shift: values.shift, noRetrain: values['no-retrain'] });
    case 'analyze':
      return analyzeCommand(config, rest, { json, top: values.top });
    case 'schedule':
      return scheduleCommand(config, json);
    case 'draft':
      return draftCommand(config, { requestFile: values['request-file'], waitFor: values['wait-for'], json, worker: values.worker });
    case 'drafts':
      return draftsCommand(config, { json, all: values.all, id: rest[0] });
    case 'approve':
    case 'reject':
      return decideCommand(config, command, {
        id: rest[0],
        reviewer: values.reviewer,
        comment: values.comment,
        reason: values.reason,
        json,
        wait: values.wait,
      });
    case 'serve':
      return serveCommand(config, { json, port: values.port, host: values.host });
    case 'troubleshoot':
      return troubleshootCommand(config, rest, { json, policy: values.policy });
    case 'autofix':
      return autofixCommand(config, rest, { json, policy: values.policy, write: values.write });
    case 'lint':
      return lintCommand(config, rest, { json });
    case 'ci-log':
      return ciLogCommand(config, rest, { json });
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`pac: ${message}\n`);
  process.exitCode = error instanceof UsageError || error instanceof CliUsageError || error instanceof ConfigError ? 2 : 1;
}
