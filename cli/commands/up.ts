/** pac up — start the server engines and wait until each is healthy. */
import { defineCommand, EXIT, oneOf } from '../common';

export const command = defineCommand({
  usage: 'pac up [temporal|mlflow|weaviate ...] [--json]',
  description:
    'Starts the named engines (default: all) and waits until each is healthy; engines already running are left alone.\nA port taken by another program stops it with the port and the variable that moves it.',
  options: {},
  exitCodes: { ok: 'every named engine is up and healthy' },
  async run({ positionals, config, print }) {
    const { SERVER_ENGINES, up } = await import('../../infra/engines');
    const cfg = await config();
    const results = await up(cfg, positionals.length ? oneOf('engine', positionals, SERVER_ENGINES) : SERVER_ENGINES);
    print(
      { engines: results },
      [
        ...results.map((r) => `${r.engine}: ${r.action} (pid ${r.pid}) ${r.health.url ?? ''}`),
        `Temporal UI: ${cfg.temporal.uiUrl}`,
        `MLflow UI:   ${cfg.mlflow.uri}`,
      ].join('\n'),
    );
    return EXIT.ok;
  },
});
