/**
 * Plain-text views for the CLI (`pac observations`, `pac ingest`); `--json` prints the records
 * themselves.
 */
import type { ImportReport } from './import';
import type { ObservationCounts } from './store';

/** A table of counts: one row per group, then the totals. */
export function formatObservationCounts(counts: ObservationCounts): string {
  const range = `${counts.since.slice(0, 10)} .. ${counts.until ? counts.until.slice(0, 10) : 'now'}`;
  if (counts.total === 0) return `no observations (${range})\n`;
  const header = [...counts.by, 'count', 'distinct'];
  const rows = counts.rows.map((r) => [...counts.by.map((k) => String(r[k] ?? '')), String(r.count), String(r.distinct)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i >= counts.by.length ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  const body = counts.by.length ? [line(header), ...rows.map(line)] : [];
  return `${[...body, `${counts.total} observations, ${counts.distinct} distinct manifests (${range})`].join('\n')}\n`;
}

/** What an import did: counts by kind, then every problem as file:line, then what was left out. */
export function formatImportReport(report: ImportReport): string {
  const kinds = Object.entries(report.byKind)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([kind, n]) => `${kind} ${n}`)
    .join(', ');
  const out = [
    `imported ${report.imported} objects (${report.distinct} distinct) from ${report.files} file(s) at ${report.time}${kinds ? `: ${kinds}` : ''}`,
  ];
  for (const p of report.problems) out.push(`error: ${p.source}:${p.line}: ${p.message}`);
  if (report.ignored.length) out.push(`ignored ${report.ignored.length} document(s) that are not cluster objects`);
  for (const d of report.skippedDirs) out.push(`skipped ${d.path}: ${d.reason}`);
  if (report.compaction) out.push(`compacted ${report.compaction.records} record(s) into ${report.compaction.segments} segment(s)`);
  return `${out.join('\n')}\n`;
}
