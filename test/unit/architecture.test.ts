/**
 * The shape of the code base (docs/architecture.md): the import rules of .dependency-cruiser.cjs,
 * product code never reading test/, and module size.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { cruise, type IReporterOutput } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';
import { listTracked } from './helpers/files';

const ROOT = join(import.meta.dirname, '..', '..');
const PRODUCT = ['lib', 'infra', 'datasets', 'registry', 'activities', 'workflows', 'workers', 'api', 'cli', 'bench', 'tools'];

/** Data modules (tables and lexicons without logic) may be longer than the 500-line limit. */
const DATA_MODULES = new Set<string>([]);

describe('architecture', () => {
  it('every import follows the layer rules (dependency-cruiser)', async () => {
    const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs'));
    const result: IReporterOutput = await cruise([...PRODUCT, 'test'], {
      ...config.options,
      ruleSet: { forbidden: config.forbidden },
      validate: true,
      baseDir: ROOT,
    });
    const output = typeof result.output === 'string' ? undefined : result.output;
    const violations = (output?.summary.violations ?? []).map((v) => `${v.rule.name}: ${v.from} → ${v.to}`);
    expect(violations).toEqual([]);
    expect(output?.summary.totalCruised).toBeGreaterThan(150);
  }, 60_000);

  it('a forbidden import is caught', async () => {
    const config = createRequire(import.meta.url)(join(ROOT, '.dependency-cruiser.cjs'));
    const rules = config.forbidden.filter((rule: { name: string }) => rule.name === 'layer-datasets');
    expect(rules).toHaveLength(1);
    // activities/lifecycle/label.ts imports datasets/ (allowed); reversed, the rule must name it
    const result = await cruise(['activities/lifecycle/label.ts'], {
      ...config.options,
      ruleSet: { forbidden: [{ ...rules[0], from: { path: '^activities/' }, to: { path: '^datasets/' } }] },
      validate: true,
      baseDir: ROOT,
    });
    const output = typeof result.output === 'string' ? undefined : result.output;
    expect(output?.summary.violations.length).toBeGreaterThan(0);
  }, 60_000);

  it('product code never reads test/ (not even through a path string)', () => {
    const offenders = listTracked(ROOT, PRODUCT, '.ts').filter((file) =>
      /['"`/]test\/(fixtures|unit|integration)\b|\.\.\/test\//.test(readFileSync(join(ROOT, file), 'utf8')),
    );
    expect(offenders).toEqual([]);
  });

  it('no product module is over 500 lines unless it is data', () => {
    const long = listTracked(ROOT, PRODUCT, '.ts')
      .map((file) => ({ file, lines: readFileSync(join(ROOT, file), 'utf8').split('\n').length }))
      .filter(({ file, lines }) => lines > 500 && !DATA_MODULES.has(file))
      .map(({ file, lines }) => `${file}: ${lines} lines`);
    expect(long).toEqual([]);
  });
});
