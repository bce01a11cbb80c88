/**
 * pac — the kube-pac-copilot command line. A thin client of the engines, the Temporal client and
 * the activities' pure functions. Every command takes --json.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../infra/config';
import { down, SERVER_ENGINES, type ServerEngine, status, up } from '../infra/engines';
import { installEngines } from '../infra/install';
import { createWorker } from '../workers/main';
import { temporalClient, workflowUiUrl } from '../workers/temporal';
import { healthcheck } from '../workflows';

const USAGE = `usage: pac <command> [options]

commands:
  install                 install the engines that are missing (Temporal CLI, OPA, Weaviate, MLflow)
  up [engine...]          start the engines (temporal, mlflow, weaviate) and wait until healthy
  down [engine...]        stop the engines that 'up' started
  status                  health, URL and version of every engine
  worker                  run a worker on the main task queue until interrupted
  healthcheck             run the healthcheck workflow (needs a running worker: 'pac worker')
  demo                    up + in-process worker + healthcheck workflow; prints the UI URLs

options:
  --json                  machine-readable output on stdout
  --pause-ms N            healthcheck: wait N ms between two rounds of checks
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

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: 'boolean', default: false },
      'pause-ms': { type: 'string' },
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
      const worker = await createWorker(config);
      process.stderr.write(`worker polling task queue "${config.temporal.taskQueues.main}" on ${config.temporal.address}\n`);
      await worker.run();
      return 0;
    }
    case 'healthcheck':
    case 'demo': {
      const pauseMs = values['pause-ms'] === undefined ? 0 : Number(values['pause-ms']);
      if (!Number.isInteger(pauseMs) || pauseMs < 0)
        throw new UsageError(`--pause-ms: expected a whole number of milliseconds, got "${values['pause-ms']}"`);
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
            command === 'demo' ? 'The engines keep running; stop them with: npx pac down' : '',
          ].join('\n'),
        );
        return result.healthy ? 0 : 1;
      } finally {
        await worker?.shutdown();
        await running;
      }
    }
    default:
      throw new UsageError(`unknown command "${command}"\n\n${USAGE}`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`pac: ${message}\n`);
  process.exitCode = error instanceof UsageError || error instanceof ConfigError ? 2 : 1;
}
