/** pac down — stop the engines that `pac up` started. */
import { defineCommand, EXIT, oneOf } from '../common';

export const command = defineCommand({
  usage: 'pac down [temporal|mlflow|weaviate|postgres ...] [--json]',
  description:
    'Stops the named engines (default: all, PostgreSQL of the team profile last) that `pac up` started; it never touches a\nprocess it did not start.',
  options: {},
  exitCodes: { ok: 'the named engines are stopped' },
  async run({ positionals, config, print }) {
    const { ALL_ENGINES, down } = await import('../../infra/engines');
    // without names: every engine; PostgreSQL (team profile) is mentioned only when it was running
    const engines = positionals.length ? oneOf('engine', positionals, ALL_ENGINES) : undefined;
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
