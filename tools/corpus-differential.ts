/**
 * Differential check of the policy corpus against an earlier revision: both corpora are evaluated
 * with the real OPA on the same manifests — every fixture and sample, `--count` generated manifests
 * (the training generator, seed 42) and `--fuzz` manifests whose strings stress the hand-written
 * string parsers (images, env names and values, ConfigMap keys, quantities, owner annotations) —
 * and every manifest whose denials (policy ids and messages) differ is reported, grouped by policy.
 *
 *   npx tsx tools/corpus-differential.ts [--rev HEAD] [--count 2000] [--fuzz 2000] [--json]
 *
 * The old corpus is read with `git show <rev>:<path>` (nothing in the work tree changes). Exit code
 * 0 in any case: the output is the evidence, to be read against the intended changes.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateCorpus } from '../activities/opa/corpus';
import { corpusRegoFiles, loadPolicySamples, loadPositiveFixtures } from '../datasets/load';
import { DATASETS_DIR, INVENTORY_FILE } from '../datasets/paths';
import { createRng, generateManifests, type Rng } from '../datasets/synthetic/manifests';
import { loadConfig } from '../infra/config';

const { values } = parseArgs({
  options: {
    rev: { type: 'string', default: 'HEAD' },
    count: { type: 'string', default: '2000' },
    fuzz: { type: 'string', default: '2000' },
    json: { type: 'boolean', default: false },
  },
});

const REPO = join(DATASETS_DIR, '..');

/** The corpus Rego files and inventory of `rev`, written to a temporary directory. */
function oldCorpus(rev: string, dir: string): { regoFiles: string[]; inventory: string } {
  const listing = execFileSync(
    'git',
    ['ls-tree', '-r', '--name-only', rev, '--', 'datasets/policies', 'datasets/fixtures/inventory.json'],
    {
      cwd: REPO,
      encoding: 'utf8',
    },
  );
  const files = listing.split('\n').filter((f) => (f.endsWith('.rego') && !f.endsWith('_test.rego')) || f.endsWith('inventory.json'));
  for (const file of files) {
    const target = join(dir, file);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, execFileSync('git', ['show', `${rev}:${file}`], { cwd: REPO, maxBuffer: 64 << 20 }));
  }
  return {
    regoFiles: files.filter((f) => f.endsWith('.rego')).map((f) => join(dir, f)),
    inventory: join(dir, 'datasets/fixtures/inventory.json'),
  };
}

const WORDS = [
  'db',
  'api',
  'Api',
  'private',
  'access',
  'auth',
  'client',
  'max',
  'session',
  'root',
  'admin',
  'old',
  'mysql',
  'user',
  'log',
  'level',
];
const CREDENTIAL = [
  'password',
  'Password',
  'PASSWORD',
  'passwd',
  'pwd',
  'PWD',
  'secret',
  'Secret',
  'token',
  'Token',
  'tokens',
  'key',
  'Key',
  'apikey',
  'credentials',
  'passphrase',
  'tokenizer',
];
const SUFFIXES = ['', '', '', 'file', 'File', 'path', 'name', 'id', 'Id', 'ttl', 'url', 'ref', 'length', 'days', 's', 'x'];
const SEPARATORS = ['_', '-', '.', '', ''];

function word(rng: Rng, parts: number): string {
  const out: string[] = [];
  for (let i = 0; i < parts; i++) out.push(rng.pick(i === parts - 1 || rng.chance(0.4) ? CREDENTIAL : WORDS));
  if (rng.chance(0.4)) out.push(rng.pick(SUFFIXES));
  const sep = rng.pick(SEPARATORS);
  return out.filter((w) => w !== '').join(sep) || 'x';
}

function image(rng: Rng): string {
  const name = rng.pick(['nginx', 'registry.internal.example/shop/web', 'registry:5000/app', 'ghcr.io/org/app', 'app']);
  const tag = rng.pick(['', ':latest', ':Latest', ':1.2.3', ':v1-rc.1', ':_x', ':.x', ':-x', ':', ':a:b', ':x!', ':latest:1']);
  const alg = rng.pick(['sha256', 'sha512', 'SHA256', 'sha256+b64', 'sha__256', '-sha', 'sha-', '']);
  const hex = rng.chance(0.5) ? rng.hex(64) : rng.hex(rng.int(8, 70));
  const digest = rng.chance(0.5) ? '' : `@${alg}:${rng.chance(0.2) ? hex.toUpperCase() : hex}${rng.chance(0.05) ? 'g' : ''}`;
  return `${name}${tag}${digest}`;
}

function quantity(rng: Rng): unknown {
  if (rng.chance(0.15)) return rng.int(0, 8);
  const number = rng.pick(['1', '2', '0', '.5', '1.', '1.5', '.', '', '12', '1e', '3x']);
  const suffix = rng.pick(['', 'm', 'k', 'K', 'M', 'G', 'Ki', 'Mi', 'Gi', 'E', 'Ei', 'e3', 'E2', 'e+2', 'e-1', 'e', 'i', 'mi']);
  return `${number}${suffix}`;
}

function envValue(rng: Rng): unknown {
  return rng.pick([
    'hunter2',
    '',
    null,
    '$(DB_PASS)',
    '$(A)$(B_2.x)',
    '$(A',
    '$()',
    '$(9A)',
    'https://user:pass@db.example.com/x',
    'https://db.example.com/x@y',
    'postgres://u@host',
    'ftp://a b@host',
    'http://host?x=@y',
    '/var/run/secrets/token',
    'a://@',
    '1a://x@y',
  ]);
}

function email(rng: Rng): unknown {
  return rng.pick([
    'team@example.com',
    'a@b',
    'a@example.c',
    'a@@example.com',
    'first.last+x@sub.example.co',
    'a@example..com',
    'a@exa_mple.com',
    ' a@example.com',
    'x',
    42,
    'A@B.CD',
    'a@example.com.',
  ]);
}

/** Manifests whose strings stress the string parsers that replaced regular expressions. */
function fuzzManifests(seed: number, count: number): Record<string, unknown>[] {
  const rng = createRng(seed);
  return Array.from({ length: count }, (_, i) => {
    if (i % 3 === 0) {
      const data = Object.fromEntries(Array.from({ length: rng.int(1, 4) }, () => [word(rng, rng.int(1, 3)), 'x']));
      if (rng.chance(0.2))
        data.pem = rng.pick([
          '-----BEGIN RSA PRIVATE KEY-----',
          '-----BEGIN my PRIVATE KEY-----',
          'x -----BEGIN PGP PRIVATE KEY BLOCK-----',
          'BEGIN PRIVATE KEY',
        ]);
      return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}`, namespace: 'shop' }, data };
    }
    const containers = Array.from({ length: rng.int(1, 2) }, (_, c) => ({
      name: `c${c}`,
      image: image(rng),
      env: Array.from({ length: rng.int(0, 3) }, () => ({ name: word(rng, rng.int(1, 3)).toUpperCase(), value: envValue(rng) })),
      resources: {
        requests: { cpu: quantity(rng), memory: quantity(rng) },
        limits: { cpu: quantity(rng), memory: quantity(rng) },
      },
    }));
    return {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: `app-${i}`, namespace: 'shop', annotations: { 'kube-pac.io/owner': email(rng) } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'x' } },
        template: { metadata: { labels: { app: 'x' } }, spec: { containers } },
      },
    };
  });
}

const dir = mkdtempSync(join(tmpdir(), 'pac-differential-'));
try {
  const config = loadConfig();
  const old = oldCorpus(values.rev, dir);
  const sources: { source: string; manifest: unknown }[] = [
    ...loadPositiveFixtures().map((f) => ({ source: `fixture ${f.name}`, manifest: f.manifest })),
    ...loadPolicySamples().map((s) => ({ source: `sample ${relative(DATASETS_DIR, s.file)}`, manifest: s.manifest })),
    ...generateManifests(42, Number(values.count)).map((manifest, i) => ({ source: `generated 42/${i}`, manifest })),
    ...fuzzManifests(4242, Number(values.fuzz)).map((manifest, i) => ({ source: `fuzz 4242/${i}`, manifest })),
  ];
  const manifests = sources.map((s) => s.manifest);
  const before = await evaluateCorpus({ opa: config.opa, regoFiles: old.regoFiles, dataFiles: [old.inventory], manifests });
  const after = await evaluateCorpus({ opa: config.opa, regoFiles: corpusRegoFiles(), dataFiles: [INVENTORY_FILE], manifests });
  const byPolicy = new Map<string, { manifests: number; examples: { source: string; before: string[]; after: string[] }[] }>();
  for (const [i, source] of sources.entries()) {
    const a = before[i]?.denied ?? {};
    const b = after[i]?.denied ?? {};
    for (const policy of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const x = a[policy] ?? [];
      const y = b[policy] ?? [];
      if (JSON.stringify(x) === JSON.stringify(y)) continue;
      const entry = byPolicy.get(policy) ?? { manifests: 0, examples: [] };
      entry.manifests++;
      if (entry.examples.length < (process.env.PAC_DIFF_EXAMPLES ? Number(process.env.PAC_DIFF_EXAMPLES) : 3))
        entry.examples.push({ source: source.source, before: x, after: y });
      byPolicy.set(policy, entry);
    }
  }
  const summary = {
    rev: values.rev,
    manifests: sources.length,
    bySource: {
      fixtures: loadPositiveFixtures().length,
      samples: sources.filter((s) => s.source.startsWith('sample')).length,
      generated: Number(values.count),
      fuzz: Number(values.fuzz),
    },
    identical: sources.filter((_, i) => JSON.stringify(before[i]) === JSON.stringify(after[i])).length,
    differences: Object.fromEntries([...byPolicy].sort(([x], [y]) => x.localeCompare(y))),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    process.stdout.write(
      `${summary.manifests} manifests (${JSON.stringify(summary.bySource)}); ${summary.identical} with identical denials\n`,
    );
    for (const [policy, entry] of byPolicy) {
      process.stdout.write(`\n${policy}: ${entry.manifests} manifests differ\n`);
      for (const e of entry.examples)
        process.stdout.write(`  ${e.source}\n    before: ${JSON.stringify(e.before)}\n    after:  ${JSON.stringify(e.after)}\n`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
