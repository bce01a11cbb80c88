/**
 * pac troubleshoot | autofix | lint | ci-log — troubleshooting from the command line. troubleshoot
 * and autofix run the troubleshooting activities in this process (like `pac analyze`); the
 * `troubleshoot` workflow runs the same activities on a worker.
 */
import { writeFileSync } from 'node:fs';
import { formatFinding, lintRego, regoFilesOf } from '../activities/lint/lint';
import { llmProviderFromConfig } from '../activities/llm/chat';
import { type TroubleshootResult, troubleshootInProcess } from '../activities/troubleshooting';
import { autofixText } from '../activities/troubleshooting/autofix';
import { analyseCiLog } from '../activities/troubleshooting/cilog';
import type { VerifiedFix } from '../activities/troubleshooting/recommend';
import { loadPolicyIndex } from '../datasets/load';
import type { Config } from '../infra/config';
import { ManifestInputError, type ManifestText, readManifestsStrict } from '../lib/manifest-stream';
import { CliUsageError, EXIT } from './common';
import { readUserText } from './read-user-text';

const readText = readUserText;

/** Every object of a YAML/JSON file with its line; a broken document stops with file:line. */
export function readManifestFile(path: string): ManifestText {
  try {
    return readManifestsStrict(readText(path), path);
  } catch (error) {
    if (error instanceof ManifestInputError) throw new CliUsageError(error.message);
    throw error;
  }
}

/** Runs `action`, turning bad manifest input into a usage error (exit code 2). */
async function readable<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (error instanceof ManifestInputError) throw new CliUsageError(error.message);
    throw error;
  }
}

function checkPolicy(policy: string | undefined): void {
  if (policy && !loadPolicyIndex().some((m) => m.id === policy))
    throw new CliUsageError(`--policy: unknown policy "${policy}" (not in datasets/policies/index.jsonl)`);
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

function fixLines(fix: VerifiedFix, indent = '    '): string[] {
  return [
    `${indent}${fix.description.join('; ')}${fix.placeholders.length ? `  [needs: ${fix.placeholders.join(', ')}]` : ''}`,
    ...fix.patch.map((op) => `${indent}  ${JSON.stringify(op)}`),
  ];
}

function renderTroubleshoot(source: string, line: number, r: TroubleshootResult): string {
  const out = [`${source}:${line} ${r.resource}`];
  const denied = Object.keys(r.diagnosis.denials).sort();
  if (!r.diagnosis.policy) return [...out, '  not denied by any corpus policy'].join('\n');
  out.push(`  denied by: ${denied.join(', ')}`);
  out.push(`  policy: ${r.diagnosis.policy} — ${(r.diagnosis.denials[r.diagnosis.policy] ?? [])[0] ?? ''}`);
  const c = r.diagnosis.classification;
  out.push(`  failure class: ${c.label} (${c.by}${c.rule ? ` ${c.rule}` : ''}, confidence ${c.confidence.toFixed(2)})`);
  if (r.counterexample) {
    out.push(
      `  smallest manifest still denied (${r.counterexample.before.nodes} → ${r.counterexample.after.nodes} nodes, ${r.counterexample.before.bytes} → ${r.counterexample.after.bytes} bytes):`,
      `    ${JSON.stringify(r.counterexample.minimal)}`,
    );
  }
  const rec = r.recommendation;
  if (rec) {
    out.push(`  strategy: ${rec.strategy.decision} — ${rec.strategy.reason}`);
    if (rec.fixes.length === 0) out.push('  no verified manifest fix found');
    rec.fixes.forEach((fix, i) => {
      out.push(`  fix ${i + 1} (verified: ${rec.policy} allows, no new denials):`, ...fixLines(fix));
    });
    for (const change of rec.policyChanges)
      out.push(
        `  policy change (${change.kind}${change.verified ? ', verified with OPA' : ', not verified'}): ${change.description}`,
        ...(change.params ? [`    data.kpc.params: ${JSON.stringify(change.params)}`] : []),
        ...(change.rego ? change.rego.split('\n').map((l) => `    ${l}`) : []),
      );
  }
  if (r.verification)
    out.push(`  re-verified fix 1: ${r.verification.targetAllows && r.verification.newDenials.length === 0 ? 'ok' : 'FAILED'}`);
  return out.join('\n');
}

export async function troubleshootCommand(config: Config, args: string[], options: { json: boolean; policy?: string }): Promise<number> {
  const [path] = args;
  if (!path || args.length > 1) throw new CliUsageError('usage: pac troubleshoot <manifest> [--policy <id>] [--json]');
  checkPolicy(options.policy);
  const { objects } = readManifestFile(path);
  const results: (TroubleshootResult & { source: string; line: number })[] = [];
  for (const object of objects) {
    const result = await troubleshootInProcess(config, {
      manifest: object.manifest,
      ...(options.policy ? { policy: options.policy } : {}),
    });
    results.push({ source: path, line: object.line, ...result });
  }
  process.stdout.write(options.json ? json({ results }) : `${results.map((r) => renderTroubleshoot(path, r.line, r)).join('\n\n')}\n`);
  return results.some((r) => r.diagnosis.policy) ? 3 : 0;
}

export async function autofixCommand(
  config: Config,
  args: string[],
  options: { json: boolean; policy?: string; write: boolean },
): Promise<number> {
  const [path] = args;
  if (!path || args.length > 1) throw new CliUsageError('usage: pac autofix <manifest> [--policy <id>] [--write] [--json]');
  if (options.write && path === '-') throw new CliUsageError('--write needs a file, not standard input');
  checkPolicy(options.policy);
  const text = readText(path);
  const {
    changed,
    text: fixedText,
    resources: entries,
  } = await readable(() => autofixText(config, text, path, options.policy ? { policy: options.policy } : {}));
  if (options.write && changed) writeFileSync(path, fixedText);
  if (options.json) process.stdout.write(json({ file: path, written: options.write && changed, resources: entries }));
  else {
    const lines: string[] = [];
    for (const e of entries) {
      lines.push(`${path}:${e.line} ${e.resource}: denied by ${e.deniedBefore.length ? e.deniedBefore.join(', ') : 'nothing'}`);
      for (const a of e.applied) lines.push(`  fixed ${a.policy}:`, ...fixLines(a.fix));
      for (const u of e.unresolved)
        lines.push(`  not fixed ${u.policy}: ${u.reason}`, ...(u.suggestion ? ['  suggestion:', ...fixLines(u.suggestion)] : []));
      lines.push(`  denied after: ${e.deniedAfter.length ? e.deniedAfter.join(', ') : 'nothing'}`);
    }
    if (changed) lines.push(options.write ? `wrote ${path}` : 'dry run: add --write to change the file');
    process.stdout.write(`${lines.join('\n')}\n`);
  }
  return entries.some((e) => e.deniedAfter.length > 0) ? 3 : 0;
}

export async function lintCommand(config: Config, args: string[], options: { json: boolean }): Promise<number> {
  if (args.length === 0) throw new CliUsageError('usage: pac lint <file.rego|dir>... [--json]');
  let report: Awaited<ReturnType<typeof lintRego>>;
  try {
    // every file passes the input limits (size, UTF-8, not binary) before OPA sees it
    for (const file of regoFilesOf(args)) readUserText(file);
    report = await lintRego(config, args);
  } catch (error) {
    if (error instanceof Error && /no such file|not a \.rego|no \.rego files/.test(error.message)) throw new CliUsageError(error.message);
    throw error;
  }
  if (options.json) process.stdout.write(json(report));
  else
    process.stdout.write(
      `${[...report.findings.map(formatFinding), `${report.files.length} files: ${report.errors} errors, ${report.warnings} warnings, ${report.findings.length - report.errors - report.warnings} notes`].join('\n')}\n`,
    );
  return report.errors > 0 ? EXIT.findings : EXIT.ok;
}

export async function ciLogCommand(config: Config, args: string[], options: { json: boolean }): Promise<number> {
  const [path] = args;
  if (!path || args.length > 1) throw new CliUsageError('usage: pac ci-log <file|-> [--json]');
  const text = readUserText(path);
  if (text.trim() === '') throw new CliUsageError(`${path}: the log is empty`);
  const analysis = await analyseCiLog(text, { llm: llmProviderFromConfig(config) });
  if (options.json) process.stdout.write(json(analysis));
  else
    process.stdout.write(
      `${[
        `root cause: ${analysis.root_cause} — ${analysis.title} (confidence ${analysis.confidence.toFixed(2)})`,
        'evidence:',
        ...analysis.evidence.map((e) => `  ${path}:${e.line}: ${e.text}`),
        `explanation (${analysis.explainedBy}): ${analysis.explanation}`,
        `fix: ${analysis.fix}`,
        ...(analysis.yaml_patch ? ['yaml patch:', ...analysis.yaml_patch.split('\n').map((l) => `  ${l}`)] : []),
      ].join('\n')}\n`,
    );
  return EXIT.ok;
}
