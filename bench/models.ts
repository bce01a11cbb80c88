/**
 * `npm run bench:models`: every model family against its baselines, measured in one run —
 * on the generated (simulated) holdout and on the foreign or real data the family has. Each family
 * is one section (a function returning its lines); the sections run in order, and `--only` picks.
 *
 *   npm run bench:models [-- --only ranker,fix,latency]
 */
import { parseArgs } from 'node:util';
import { loadConfig } from '../infra/config';
import { fixSection, latencySection, type SectionResult } from './models-fix';
import { rankerSection } from './models-ranker';

const SECTIONS: Record<string, (config: ReturnType<typeof loadConfig>) => SectionResult | Promise<SectionResult>> = {
  ranker: rankerSection,
  fix: fixSection,
  latency: latencySection,
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { only: { type: 'string' } } });
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = (only ?? []).filter((name) => !(name in SECTIONS));
  if (unknown.length) throw new Error(`--only: unknown section ${unknown.join(', ')} (sections: ${Object.keys(SECTIONS).join(', ')})`);
  const config = loadConfig();
  for (const [name, section] of Object.entries(SECTIONS)) {
    if (only && !only.includes(name)) continue;
    const started = performance.now();
    const result = await section(config);
    process.stdout.write(`${result.lines.join('\n')}\n  (${((performance.now() - started) / 1000).toFixed(1)} s)\n\n`);
  }
}

await main();
