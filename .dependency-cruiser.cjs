/**
 * Import rules: the layers of docs/architecture.md, checked by `npm run lint` (CI) and by
 * test/unit/architecture.test.ts. Imports flow one way:
 *
 *   cli, api, bench, tools  →  workers  →  workflows  →  activities  →  registry  →  datasets  →  infra  →  lib
 *
 * (cli may start the api; test/ may import anything; nothing imports test/.)
 */
const LAYERS = ['lib', 'infra', 'datasets', 'registry', 'activities', 'workflows', 'workers', 'api', 'cli'];
const TOP = ['bench', 'tools', 'test'];

/** A rule forbidding layer `from` to import any layer above it. */
function layerRule(from, index) {
  const above = [...LAYERS.slice(index + 1), ...TOP];
  return {
    name: `layer-${from}`,
    comment: `${from}/ may import only the layers below it (${LAYERS.slice(0, index).join(', ') || 'nothing of the project'})`,
    severity: 'error',
    from: { path: `^${from}/` },
    to: { path: `^(${above.join('|')})/` },
  };
}

module.exports = {
  forbidden: [
    ...LAYERS.map(layerRule),
    {
      name: 'bench-tools-not-test',
      comment: 'benchmarks and data tools are product-adjacent code: they never read test/',
      severity: 'error',
      from: { path: '^(bench|tools)/' },
      to: { path: '^test/' },
    },
    {
      name: 'opa-eval-only-in-the-engine',
      comment:
        'one policy engine: only activities/engine runs `opa eval` (its oracle activities/opa/corpus.ts), besides benchmarks, data tools and tests; everything else evaluates through activities/engine',
      severity: 'error',
      from: { pathNot: '^(activities/engine/|activities/opa/corpus\\.ts$|bench/|tools/|test/)' },
      to: { path: '^activities/opa/(eval|corpus)\\.ts$' },
    },
    {
      name: 'workflows-types-only',
      comment:
        'workflow code is deterministic and bundled for the Temporal sandbox: it imports activities, registry, datasets and infra as types only',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { path: '^(activities|registry|datasets|infra|lib)/', pathNot: '^registry/families\\.ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'families-pure',
      comment: 'registry/families.ts is imported by workflows as values: it must stay import-free',
      severity: 'error',
      from: { path: '^registry/families\\.ts$' },
      to: {},
    },
    {
      name: 'workflows-no-node',
      comment: 'workflow code does no I/O: no Node built-ins',
      severity: 'error',
      from: { path: '^workflows/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'no-circular',
      comment: 'no import cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'every import resolves',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|coverage|\\.vitest)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
