/** What the formats share: their context and interface, the summary sentence, notes for problems and skipped files, paths. */
import { relative, resolve, sep } from 'node:path';
import type { Problem, RuleInfo, Severity, Skipped, Summary } from '../report';
import type { AnalysisSink } from '../run';

export interface FormatContext {
  /** the rules of this run: the selected policies and the built-in exemption checks */
  rules: readonly RuleInfo[];
  tool: { name: 'pac'; version: string };
  threshold: Severity;
  /** which ranker ranked, when ranking was asked for */
  ranker?: string;
  /** where relative paths are resolved from (SARIF URIs are relative to it) */
  cwd: string;
  /** write text to the output */
  write: (text: string) => void;
  /** notes for a human (problems, skipped files), on stderr */
  note: (text: string) => void;
}

export interface Formatter extends AnalysisSink {
  begin(): void;
  end(summary: Summary): void | Promise<void>;
}

export function summaryLine(s: Summary): string {
  const total = s.findings.critical + s.findings.high + s.findings.medium + s.findings.low;
  return [
    `${s.files} file${s.files === 1 ? '' : 's'}, ${s.resources} resource${s.resources === 1 ? '' : 's'} (${s.clean} clean), ${s.policies} policies:`,
    `${total} finding${total === 1 ? '' : 's'} (${s.findings.critical} critical, ${s.findings.high} high, ${s.findings.medium} medium, ${s.findings.low} low),`,
    `${s.exempted} exempted, ${s.skipped} skipped file${s.skipped === 1 ? '' : 's'}, ${s.problems} error${s.problems === 1 ? '' : 's'};`,
    `${s.atOrAboveThreshold} at or above ${s.threshold} → exit code ${s.exitCode}`,
  ].join(' ');
}

export const problemNote = (p: Problem) => `${p.source}${p.line > 0 ? `:${p.line}` : ''}: ${p.message}`;
export const skippedNote = (s: Skipped) => `note: skipped ${s.source}: ${s.reason}`;

/** A source as a path relative to `cwd` with forward slashes ("-" → "stdin"). */
export function relativePath(source: string, cwd: string): string {
  if (source === '-') return 'stdin';
  return relative(cwd, resolve(cwd, source)).split(sep).join('/');
}
