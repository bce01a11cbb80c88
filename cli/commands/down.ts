/** pac down — stop the engines that `pac up` started. */
import { defineCommand, EXIT, oneOf } from '../common';

export const command = defineCommand({
  usage: 'pac down [temporal|mlflow|weaviate ...] [--json]',
  description: 'Stops the named engines (default: all) that `pac up` started; it never touches a process it did not start.',
  options: {},
  exitCodes: { ok: 'the named engines are stopped' },
  async run({ positionals, config, print }) {
    const { SERVER_ENGINES, down } = await import('../../infra/engines');
    const engines = positionals.length ? oneOf('engine', positionals, SERVER_ENGINES) : SERVER_ENGINES;
    const results = await down(await config(), engines, () => {});
    print(
      { engines: results },
      Object.entries(results)
        .map(([engine, r]) => `${engine}: ${r}`)
        .join('\n'),
    );
    return EXIT.ok;
  },
});
