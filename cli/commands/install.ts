/** pac install — the pinned engines that are missing, into PAC_CACHE_DIR. */
import { defineCommand, EXIT } from '../common';

export const command = defineCommand({
  usage: 'pac install [--json]',
  description:
    'Installs the pinned engines (infra/versions.json) that are missing into PAC_CACHE_DIR: the Temporal CLI and OPA from the\nGo module proxy, Weaviate from the Go module proxy, MLflow into a Python venv from PyPI. Present ones are left alone.',
  options: {},
  exitCodes: { ok: 'every engine is installed' },
  async run({ config, print }) {
    const { installEngines } = await import('../../infra/install');
    const steps = await installEngines(await config());
    print(
      { steps },
      steps.map((s) => `${s.engine} ${s.version}: ${s.installed ? `installed in ${s.seconds.toFixed(1)}s` : 'present'}`).join('\n'),
    );
    return EXIT.ok;
  },
});
