/**
 * `pac analyze` next to the tools people would use instead, in one run, on the same 65 corpus
 * policies (datasets/policies, no tests) and the same files:
 *
 *   - pac          the built CLI (bin/pac.js → dist/), a new process per measurement: cold, no
 *                  server (the compiled policy module is cached on disk, as after any first run)
 *   - opa eval     one process per file (`opa eval --input file.yaml`), the pinned OPA
 *   - conftest     installed by this bench from the Go module proxy into the cache (pinned)
 *
 * Inputs are generated manifests (datasets/synthetic, SIMULATED data), cached under
 * $PAC_CACHE_DIR/bench-analyze: one manifest, a directory of N files, one file of M documents.
 * Prints files/s and ratios, and checks the targets of issue 17 (met / NOT MET):
 *   pac --help ≤ 0.3 s · pac analyze one.yaml ≤ 1.5× opa eval (same file, medians of paired cold
 *   runs) · a directory of 10,000 manifests ≥ 5,000 manifests/s with peak RSS ≤ 600 MB · 100,000
 *   documents in one file with peak RSS ≤ 600 MB.
 *
 *   npm run bench:analyze -- [--files 10000] [--docs 100000] [--runs 5] [--opa-sample 40] [--conftest-docs 2000]
 *
 * opa eval per file is timed on a sample of the directory (extrapolated, labelled so), and conftest
 * on the first --conftest-docs documents of the big file: both would take hours on the full inputs.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { corpusRegoFiles, loadPolicyIndex } from '../datasets/load';
import { INVENTORY_FILE } from '../datasets/paths';
import { generateManifests } from '../datasets/synthetic/manifests';
import { loadConfig } from '../infra/config';

const CONFTEST = { module: 'github.com/open-policy-agent/conftest', version: 'v0.71.1' };
const SEED = 17;

const { values } = parseArgs({
  options: {
    files: { type: 'string', default: '10000' },
    docs: { type: 'string', default: '100000' },
    runs: { type: 'string', default: '5' },
    'opa-sample': { type: 'string', default: '40' },
    'conftest-docs': { type: 'string', default: '2000' },
  },
});
const FILES = Number(values.files);
const DOCS = Number(values.docs);
const RUNS = Number(values.runs);
const OPA_SAMPLE = Number(values['opa-sample']);
const CONFTEST_DOCS = Math.min(DOCS, Number(values['conftest-docs']));
for (const [name, n] of Object.entries({ files: FILES, docs: DOCS, runs: RUNS, 'opa-sample': OPA_SAMPLE, 'conftest-docs': CONFTEST_DOCS }))
  if (!(Number.isInteger(n) && n > 0)) throw new Error(`--${name}: expected a whole number > 0`);

const config = loadConfig();
const ROOT = join(import.meta.dirname, '..');
const BENCH = join(config.cacheDir, 'bench-analyze');
const CORES = availableParallelism();
const REGO = corpusRegoFiles();
const QUERY = 'x := {k: d | some k; d := data.kpc.policies[k].deny; count(d) > 0}';
const GNU_TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

interface Measured {
  seconds: number;
  /** peak resident set size of the process, MB (GNU time), when known */
  rssMb?: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command, measuring wall time and peak RSS; stdout to a file when `outFile` is given. */
function measure(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; outFile?: string; timeoutMs?: number } = {},
): Promise<Measured> {
  return new Promise((resolve, reject) => {
    const argv = GNU_TIME ? [GNU_TIME, '-f', '@@%e %M', command, ...args] : [command, ...args];
    const out = options.outFile ? createWriteStream(options.outFile) : undefined;
    const started = performance.now();
    const child = spawn(argv[0] as string, argv.slice(1), {
      cwd: ROOT,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    if (out) child.stdout.pipe(out);
    else child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const stats = stderr.match(/@@([\d.]+) (\d+)\s*$/);
      if (stats) stderr = stderr.slice(0, stats.index);
      // GNU time exits with the command's exit code
      const finish = () => resolve({ seconds, ...(stats ? { rssMb: Number(stats[2]) / 1024 } : {}), code, stdout, stderr });
      if (out) out.end(finish);
      else finish();
    });
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? (s[(s.length - 1) / 2] as number) : ((s[s.length / 2 - 1] as number) + (s[s.length / 2] as number)) / 2;
};
const fmt = (n: number, digits = 2) => n.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');

/** conftest from the Go module proxy into the cache, once (idempotent: the versioned binary is reused). */
function ensureConftest(): string {
  const bin = join(config.cacheDir, 'bin', `conftest-${CONFTEST.version}`);
  if (existsSync(bin)) return bin;
  const gobin = join(config.cacheDir, 'bin', `.conftest-${process.pid}`);
  mkdirSync(gobin, { recursive: true });
  process.stderr.write(`[bench] go install ${CONFTEST.module}@${CONFTEST.version} (once) ...\n`);
  const run = spawnSync('go', ['install', `${CONFTEST.module}@${CONFTEST.version}`], {
    env: { ...process.env, GOBIN: gobin, GOFLAGS: '-mod=mod' },
    stdio: 'inherit',
  });
  if (run.status !== 0) throw new Error(`go install ${CONFTEST.module}@${CONFTEST.version} failed (exit ${run.status})`);
  renameSync(join(gobin, 'conftest'), bin);
  rmSync(gobin, { recursive: true, force: true });
  return bin;
}

/** The generated inputs (SIMULATED manifests), written once per size and seed. */
function ensureInputs(): { one: string; dir: string; sampleFiles: string[]; big: string; bigPrefix: { file: string; docs: number } } {
  const base = join(BENCH, `seed-${SEED}`);
  const one = join(base, 'one.yaml');
  const dir = join(base, `dir-${FILES}`);
  const big = join(base, `big-${DOCS}.yaml`);
  mkdirSync(base, { recursive: true });
  if (!existsSync(one)) {
    // a typical workload: the first generated Deployment
    const deployment = generateManifests(SEED, 50).find((m) => (m as { kind?: string }).kind === 'Deployment');
    writeFileSync(one, stringify(deployment));
  }
  const fileOf = (i: number) => join(dir, `ns-${String(i % 100).padStart(2, '0')}`, `m-${String(i).padStart(5, '0')}.yaml`);
  if (!existsSync(join(dir, '.complete'))) {
    process.stderr.write(`[bench] writing ${FILES} manifests into ${dir} ...\n`);
    rmSync(dir, { recursive: true, force: true });
    for (let start = 0; start < FILES; start += 1000) {
      const manifests = generateManifests(SEED + 1 + start, Math.min(1000, FILES - start));
      manifests.forEach((m, k) => {
        mkdirSync(join(dir, `ns-${String((start + k) % 100).padStart(2, '0')}`), { recursive: true });
        writeFileSync(fileOf(start + k), stringify(m));
      });
    }
    writeFileSync(join(dir, '.complete'), `${FILES}\n`);
  }
  if (!existsSync(big)) {
    process.stderr.write(`[bench] writing ${DOCS} documents into ${big} ...\n`);
    const tmp = `${big}.tmp`;
    const chunks: string[] = [];
    writeFileSync(tmp, '');
    for (let start = 0; start < DOCS; start += 1000) {
      for (const m of generateManifests(SEED + 7 + start, Math.min(1000, DOCS - start))) chunks.push(`---\n${stringify(m)}`);
      writeFileSync(tmp, chunks.splice(0).join(''), { flag: 'a' });
    }
    renameSync(tmp, big);
  }
  const prefix = join(base, `big-${DOCS}-first-${CONFTEST_DOCS}.yaml`);
  if (!existsSync(prefix)) {
    const text = readFileSync(big, 'utf8');
    // the big file is `---\n<document>` repeated: cut before the marker that opens document CONFTEST_DOCS + 1
    let at = 0;
    for (let k = 1; k <= CONFTEST_DOCS && at !== -1; k++) at = text.indexOf('\n---\n', at + 1);
    writeFileSync(prefix, at === -1 ? text : text.slice(0, at + 1));
  }
  const step = Math.max(1, Math.floor(FILES / OPA_SAMPLE));
  const sampleFiles = Array.from({ length: Math.min(OPA_SAMPLE, FILES) }, (_, k) => fileOf(k * step));
  return { one, dir, sampleFiles, big, bigPrefix: { file: prefix, docs: CONFTEST_DOCS } };
}

const pacArgs = (args: string[]) => [join(ROOT, 'bin', 'pac.js'), ...args];
const opaArgs = (file: string) => [
  'eval',
  '--format',
  'json',
  ...REGO.flatMap((f) => ['-d', f]),
  '-d',
  INVENTORY_FILE,
  '--input',
  file,
  QUERY,
];
const conftestArgs = (target: string) => [
  'test',
  '--all-namespaces',
  '--no-color',
  '--no-fail',
  ...REGO.flatMap((f) => ['-p', f]),
  '--data',
  INVENTORY_FILE,
  target,
];

/** Denied policy ids from opa eval's JSON. */
function opaDenied(stdout: string): string[] {
  const result = JSON.parse(stdout).result?.[0]?.bindings?.x ?? {};
  return Object.keys(result)
    .map((k) => k.replaceAll('_', '-'))
    .sort();
}

/** "N tests, P passed, W warnings, F failures, E exceptions" from conftest's output. */
function conftestFailures(text: string): number | undefined {
  const m = /(\d+) tests?, (\d+) passed, (\d+) warnings?, (\d+) failures?/.exec(text);
  return m ? Number(m[4]) : undefined;
}

async function main() {
  const env = { ...process.env, PAC_STATE_DIR: join(tmpdir(), `pac-bench-${process.pid}`) };
  const conftest = ensureConftest();
  const inputs = ensureInputs();
  const rows: string[] = [];
  const targets: string[] = [];
  const row = (...cells: string[]) => rows.push(cells.join(' | '));
  console.log(
    `# pac analyze benchmark — ${CORES} cores, ${loadPolicyIndex().length} policies, generated manifests (SIMULATED), seed ${SEED}\n`,
  );

  // the build is fresh before anything is timed (bin/pac.js would rebuild a stale one on the first run)
  await measure(process.execPath, pacArgs(['--help']), { env });

  // 1. pac --help
  const help: number[] = [];
  for (let i = 0; i < RUNS; i++) help.push((await measure(process.execPath, pacArgs(['--help']), { env })).seconds);
  const nodeEmpty: number[] = [];
  for (let i = 0; i < RUNS; i++) nodeEmpty.push((await measure(process.execPath, ['-e', ''], { env })).seconds);
  targets.push(
    `pac --help: median ${fmt(median(help))} s (node -e '' alone: ${fmt(median(nodeEmpty))} s) — target ≤ 0.30 s: ${verdict(median(help) <= 0.3)}`,
  );

  // 2. one file, cold: the first run compiles the policy module into an empty state directory
  const first = await measure(
    process.execPath,
    pacArgs(['analyze', inputs.one, '--json', '--bundle', 'all', '--inventory', INVENTORY_FILE]),
    { env },
  );
  const pacOne: number[] = [];
  const opaOne: number[] = [];
  let pacIds: string[] = [];
  let opaIds: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    const p = await measure(
      process.execPath,
      pacArgs(['analyze', inputs.one, '--json', '--bundle', 'all', '--inventory', INVENTORY_FILE]),
      { env },
    );
    const o = await measure(config.opa.path, opaArgs(inputs.one));
    if (p.code !== 3 && p.code !== 0) throw new Error(`pac analyze exited ${p.code}: ${p.stderr}`);
    pacOne.push(p.seconds);
    opaOne.push(o.seconds);
    pacIds = [...new Set(JSON.parse(p.stdout).resources[0].findings.map((f: { policy: string }) => f.policy) as string[])].sort();
    opaIds = opaDenied(o.stdout);
  }
  const c1 = await measure(conftest, conftestArgs(inputs.one));
  const ratio = median(pacOne) / median(opaOne);
  row('one file', 'pac', `${fmt(median(pacOne))} s`, `first run with an empty cache ${fmt(first.seconds)} s`);
  row('one file', 'opa eval', `${fmt(median(opaOne))} s`, `pac / opa = ${fmt(ratio)}×`);
  row('one file', 'conftest', `${fmt(c1.seconds)} s`, `pac / conftest = ${fmt(median(pacOne) / c1.seconds)}×`);
  targets.push(
    `pac analyze one.yaml: ${fmt(median(pacOne))} s vs opa eval ${fmt(median(opaOne))} s = ${fmt(ratio)}× — target ≤ 1.5×: ${verdict(ratio <= 1.5)}`,
  );
  targets.push(
    `  same verdict as opa eval on one.yaml: ${JSON.stringify(pacIds) === JSON.stringify(opaIds) ? 'yes' : `NO (pac ${pacIds.join(',')} / opa ${opaIds.join(',')})`} (${pacIds.length} policies deny)`,
  );

  // 3. a directory of FILES manifests
  const out = join(BENCH, 'out.txt');
  const dir = await measure(process.execPath, pacArgs(['analyze', inputs.dir, '--bundle', 'all', '--inventory', INVENTORY_FILE]), {
    env,
    outFile: out,
  });
  const dirText = readFileSync(out, 'utf8');
  const summary = dirText.trimEnd().split('\n').at(-1) ?? '';
  const pacMessages = (dirText.match(/^ {2}(CRITICAL|HIGH|MEDIUM|LOW) /gm) ?? []).length;
  const dirRate = FILES / dir.seconds;
  row(`${FILES} files`, 'pac', `${fmt(dir.seconds)} s`, `${fmt(dirRate, 0)} files/s, peak RSS ${fmt(dir.rssMb ?? Number.NaN, 0)} MB`);
  const opaSample: number[] = [];
  {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CORES }, async () => {
        while (next < inputs.sampleFiles.length)
          opaSample.push((await measure(config.opa.path, opaArgs(inputs.sampleFiles[next++] as string))).seconds);
      }),
    );
    const rate = inputs.sampleFiles.length / ((performance.now() - started) / 1000);
    row(
      `${FILES} files`,
      `opa eval per file (${inputs.sampleFiles.length} sampled, ${CORES} at a time)`,
      `${fmt(FILES / rate)} s (extrapolated)`,
      `${fmt(rate, 1)} files/s; pac / opa = ${fmt(dirRate / rate, 1)}× faster`,
    );
  }
  const cdir = await measure(conftest, conftestArgs(inputs.dir), { outFile: join(BENCH, 'conftest-dir.txt'), timeoutMs: 900_000 });
  const conftestRate = FILES / cdir.seconds;
  row(
    `${FILES} files`,
    'conftest (one process)',
    `${fmt(cdir.seconds)} s`,
    `${fmt(conftestRate, 0)} files/s, peak RSS ${fmt(cdir.rssMb ?? Number.NaN, 0)} MB; pac / conftest = ${fmt(dirRate / conftestRate, 1)}× faster`,
  );
  const conftestCount = conftestFailures(readFileSync(join(BENCH, 'conftest-dir.txt'), 'utf8'));
  row(
    `${FILES} files`,
    'agreement',
    `pac ${pacMessages} denial messages`,
    `conftest ${conftestCount ?? '?'} failures${conftestCount === pacMessages ? ' (equal)' : ' (DIFFERENT)'}`,
  );
  targets.push(
    `directory of ${FILES}: ${fmt(dirRate, 0)} manifests/s, peak RSS ${fmt(dir.rssMb ?? Number.NaN, 0)} MB — target ≥ 5,000/s: ${verdict(dirRate >= 5000)}; RSS ≤ 600 MB: ${verdict((dir.rssMb ?? Number.POSITIVE_INFINITY) <= 600)}`,
  );
  targets.push(`  pac: ${summary}`);

  // 4. one file of DOCS documents
  const big = await measure(process.execPath, pacArgs(['analyze', inputs.big, '--bundle', 'all', '--inventory', INVENTORY_FILE]), {
    env,
    outFile: out,
    timeoutMs: 1_800_000,
  });
  const bigSummary = readFileSync(out, 'utf8').trimEnd().split('\n').at(-1) ?? '';
  row(
    `${DOCS} docs, one file`,
    'pac',
    `${fmt(big.seconds)} s`,
    `${fmt(DOCS / big.seconds, 0)} docs/s, peak RSS ${fmt(big.rssMb ?? Number.NaN, 0)} MB`,
  );
  {
    // conftest on the whole file takes too long to wait for (~16 docs/s here): its first CONFTEST_DOCS documents
    const cbig = await measure(conftest, conftestArgs(inputs.bigPrefix.file), {
      outFile: join(BENCH, 'conftest-big.txt'),
      timeoutMs: 1_800_000,
    });
    const n = inputs.bigPrefix.docs;
    row(
      `${n} of those docs, one file`,
      'conftest',
      `${fmt(cbig.seconds)} s`,
      `${fmt(n / cbig.seconds, 0)} docs/s, peak RSS ${fmt(cbig.rssMb ?? Number.NaN, 0)} MB; pac / conftest = ${fmt(DOCS / big.seconds / (n / cbig.seconds), 1)}× the docs/s${cbig.code === null ? ' (killed at the time limit)' : ''}`,
    );
  }
  targets.push(
    `${DOCS} documents in one file: peak RSS ${fmt(big.rssMb ?? Number.NaN, 0)} MB — target ≤ 600 MB: ${verdict((big.rssMb ?? Number.POSITIVE_INFINITY) <= 600)} (exit ${big.code})`,
  );
  targets.push(`  pac: ${bigSummary}`);

  console.log('input | tool | wall time | throughput / ratio\n---|---|---|---');
  for (const r of rows) console.log(r);
  console.log('\n## targets (issue 17)');
  for (const t of targets) console.log(t);
  if (!GNU_TIME) console.log('(no /usr/bin/time: peak RSS not measured)');
  console.log('\n/v1/analyze latency: npm run bench:api -- --concurrency 4');
  rmSync(env.PAC_STATE_DIR, { recursive: true, force: true });
}

await main();
