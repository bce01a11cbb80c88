/** pac up — start the server engines and wait until each is healthy. */
import { defineCommand, EXIT, oneOf } from '../common';

export const command = defineCommand({
  usage: 'pac up [temporal|mlflow|weaviate|postgres ...] [--profile local|team] [--json]',
  description:
    'Starts the named engines (default: all of the profile) and waits until each is healthy; engines already running are left alone.\n' +
    'A port taken by another program stops it with the port and the variable that moves it.\n' +
    'Profiles: local (default) keeps MLflow on SQLite; team puts MLflow on PostgreSQL: PostgreSQL from Debian packages\n' +
    '(installed when missing, as root), a cluster in $PAC_STATE_DIR/postgres on 127.0.0.1:PAC_POSTGRES_PORT (5432), the\n' +
    "mlflow database, psycopg2 in MLflow's venv; PAC_POSTGRES_URI uses an existing database instead. Artifacts go to\n" +
    'PAC_MLFLOW_ARTIFACT_ROOT (a directory or s3://…, with MLFLOW_S3_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).',
  options: {
    profile: { type: 'string', value: 'local|team', help: 'local (default): MLflow on SQLite; team: MLflow on PostgreSQL' },
  },
  exitCodes: { ok: 'every named engine is up and healthy' },
  examples: ['pac up', 'pac up --profile team', 'PAC_POSTGRES_PORT=15432 pac up --profile team mlflow'],
  async run({ positionals, values, config, print }) {
    const { ALL_ENGINES, PROFILES, maskedBackend, profileEngines, up } = await import('../../infra/engines');
    const cfg = await config();
    const profile = oneOf('--profile', [values.profile ?? 'local'], PROFILES)[0] ?? 'local';
    const engines = positionals.length ? oneOf('engine', positionals, ALL_ENGINES) : profileEngines(profile, cfg);
    const results = await up(cfg, engines, undefined, { profile });
    print(
      { profile, engines: results, mlflowBackend: maskedBackend(cfg, profile) },
      [
        ...results.map((r) => `${r.engine}: ${r.action} (pid ${r.pid}) ${r.health.url ?? ''}`),
        `Temporal UI: ${cfg.temporal.uiUrl}`,
        `MLflow UI:   ${cfg.mlflow.uri} (backend ${maskedBackend(cfg, profile)})`,
      ].join('\n'),
    );
    return EXIT.ok;
  },
});
