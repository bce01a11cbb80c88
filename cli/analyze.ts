/**
 * pac analyze: the inputs, the policies, the format and the output file; the streaming analysis
 * itself is activities/analyze/run.ts. Loaded only when `pac analyze` runs.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { type Evaluator, openEvaluator, type PolicyParams } from '../activities/analyze/evaluate';
import { EXEMPTION_RULES } from '../activities/analyze/exemptions';
import { createFormatter, FORMAT_NAMES, type FormatName } from '../activities/analyze/format';
import { summaryLine } from '../activities/analyze/format/common';
import { type InputSource, listSources, sourceEntries } from '../activities/analyze/input';
import { emptyInventory, inventoryFromSources } from '../activities/analyze/inventory';
import { analysisObserver, commandLineSource } from '../activities/analyze/observe';
import {
  AnalyzeInputError,
  type Catalogue,
  corpusBundles,
  loadCatalogue,
  selectPolicies,
  withEnginePolicies,
} from '../activities/analyze/policies';
import type { RuleInfo, Severity } from '../activities/analyze/report';
import { analysisExitCode, runAnalysis } from '../activities/analyze/run';
import { SCHEMA_RULE } from '../activities/analyze/schema-rule';
import { loadInventory } from '../datasets/inventory';
import { DatasetError, loadPolicyIndex } from '../datasets/load';
import { loadParams } from '../datasets/params';
import type { PolicyMeta } from '../datasets/schemas';
import { SEVERITIES } from '../datasets/schemas';
import type { Config } from '../infra/config';
import { CliUsageError, listValues, oneOf, wholeNumber } from './common';

export interface AnalyzeFlags {
  format?: string;
  json: boolean;
  'severity-threshold'?: string;
  policy?: string[];
  skip?: string[];
  bundle?: string[];
  params?: string;
  strict: boolean;
  rank: boolean;
  top?: string;
  output?: string;
  threads?: string;
  inventory?: string;
  schema: boolean;
}

/** Inputs bigger than this (bytes, or files) are evaluated on the engine's thread pool. */
const POOL_BYTES = 4 << 20;
const POOL_FILES = 400;

function toolVersion(): string {
  try {
    return JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The report goes to stdout, or to --output FILE written under a temporary name and renamed when complete. */
function openOutput(file: string | undefined) {
  const tmp = file ? join(dirname(file), `.${basename(file)}.${process.pid}.tmp`) : undefined;
  let fd: number | undefined;
  try {
    fd = tmp ? openSync(tmp, 'w') : undefined;
  } catch (error) {
    throw new CliUsageError(`--output: cannot write ${file}: ${(error as Error).message}`);
  }
  let buffer = '';
  const flush = () => {
    if (buffer === '') return;
    if (fd !== undefined) writeSync(fd, buffer);
    else process.stdout.write(buffer);
    buffer = '';
  };
  return {
    write(text: string) {
      buffer += text;
      if (buffer.length > 1 << 16) flush();
    },
    commit() {
      flush();
      if (fd !== undefined && tmp && file) {
        closeSync(fd);
        renameSync(tmp, file);
      }
    },
    abort() {
      if (fd !== undefined && tmp) {
        closeSync(fd);
        rmSync(tmp, { force: true });
      } else flush();
    },
  };
}

/** The --params file (datasets/params.ts validates it against each policy's parameter schema): a bad one is an input error. */
function readParams(file: string, index: PolicyMeta[]): PolicyParams {
  try {
    return loadParams(file, index);
  } catch (error) {
    if (error instanceof DatasetError) throw new AnalyzeInputError(`--params: ${error.message}`);
    throw error;
  }
}

function rulesOf(catalogue: Catalogue, policies: readonly string[], schema: boolean): RuleInfo[] {
  return [...policies.map((id) => catalogue.rules.get(id) as RuleInfo), ...(schema ? [SCHEMA_RULE] : []), ...EXEMPTION_RULES];
}

export async function analyzeCommand(config: Config, paths: string[], flags: AnalyzeFlags): Promise<number> {
  if (paths.length === 0) throw new CliUsageError('analyze: name a file, a directory or - (standard input)');
  if (flags.json && flags.format && flags.format !== 'json')
    throw new CliUsageError(`--json and --format ${flags.format} ask for two formats: give one`);
  const [format] = oneOf('--format', [flags.format ?? (flags.json ? 'json' : 'text')], FORMAT_NAMES) as [FormatName];
  const [threshold] = oneOf('--severity-threshold', [flags['severity-threshold'] ?? 'low'], SEVERITIES) as [Severity];
  const top = wholeNumber('--top', flags.top);
  const threadsFlag = wholeNumber('--threads', flags.threads, { min: 0 });

  const started = performance.now();
  const sources = listSources(paths);
  const bytes = sources.reduce((sum, s) => sum + (s.size ?? POOL_BYTES), 0);
  const threads = threadsFlag ?? (bytes > POOL_BYTES || sources.length > POOL_FILES ? availableParallelism() : 0);
  const index = loadPolicyIndex();
  const evaluator = await openEvaluator(config, { threads });
  try {
    const catalogue = withEnginePolicies(loadCatalogue(index), evaluator.policyIds);
    const policies = selectPolicies(
      catalogue,
      { policies: listValues(flags.policy), skip: listValues(flags.skip), bundles: listValues(flags.bundle) },
      corpusBundles(index),
    );
    const params = flags.params ? readParams(flags.params, index) : undefined;
    const inventory = await analysisInventory(flags.inventory, sources);
    return await analyzeSources(
      config,
      sources,
      evaluator,
      catalogue,
      { policies, params, inventory },
      { format, threshold, top, flags, started },
    );
  } finally {
    await evaluator.close();
  }
}

/** --inventory FILE|DIR (a bad one is an input error), none, or the input's own objects (inventory.ts). */
async function analysisInventory(flag: string | undefined, sources: InputSource[]): Promise<unknown> {
  if (flag === 'none') return emptyInventory();
  if (flag !== undefined) {
    try {
      return loadInventory(flag);
    } catch (error) {
      if (error instanceof DatasetError) throw new AnalyzeInputError(`--inventory: ${error.message}`);
      throw error;
    }
  }
  const { inventory, note } = await inventoryFromSources(sources, (source) => sourceEntries(source));
  if (note) process.stderr.write(`${note}\n`);
  return inventory;
}

async function analyzeSources(
  config: Config,
  sources: InputSource[],
  evaluator: Evaluator,
  catalogue: Catalogue,
  { policies, params, inventory }: { policies: string[]; params: PolicyParams | undefined; inventory: unknown },
  {
    format,
    threshold,
    top,
    flags,
    started,
  }: { format: FormatName; threshold: Severity; top?: number; flags: AnalyzeFlags; started: number },
): Promise<number> {
  let rank: ((manifest: Record<string, unknown>) => { policy: string; score: number }[]) | undefined;
  let rankerLabel: string | undefined;
  if (flags.rank || top !== undefined) {
    const { championRanker, rankManifest } = await import('../activities/analyze/rank');
    const { ranker, label } = await championRanker(config);
    rank = (manifest) => rankManifest(ranker, manifest, top ?? 5);
    rankerLabel = label;
  }

  const out = openOutput(flags.output);
  const formatter = createFormatter(format, {
    rules: rulesOf(catalogue, policies, flags.schema),
    tool: { name: 'pac', version: toolVersion() },
    threshold,
    ...(rankerLabel ? { ranker: rankerLabel } : {}),
    cwd: process.cwd(),
    write: out.write,
    note: format === 'json' ? () => {} : (text) => process.stderr.write(`${text}\n`),
  });
  try {
    formatter.begin();
    // every analysed object is recorded as an observation (PAC_OBSERVE=off: not); the report is unchanged
    const observer = analysisObserver(config, {
      source: commandLineSource(),
      corpusDigest: evaluator.corpusDigest,
      ...(rankerLabel ? { ranker: rankerLabel } : {}),
    });
    const counts = await runAnalysis(
      sources,
      (source) => sourceEntries(source),
      evaluator,
      catalogue,
      {
        policies,
        ...(params ? { params } : {}),
        inventory,
        schema: flags.schema,
        threshold,
        strict: flags.strict,
        ...(rank ? { rank } : {}),
        observer,
      },
      formatter,
    );
    observer.finish();
    const exitCode = analysisExitCode(counts);
    const summary = { ...counts, threshold, policies: policies.length, exitCode, seconds: (performance.now() - started) / 1000 };
    await formatter.end(summary);
    out.commit();
    if (format === 'sarif' || format === 'junit' || flags.output) process.stderr.write(`pac analyze: ${summaryLine(summary)}\n`);
    return exitCode;
  } catch (error) {
    out.abort();
    throw error;
  }
}
