/**
 * Text for a human: resources with findings, grouped by resource, findings by severity (critical
 * first) with the PSS level, exempted ones marked with their reason; a summary line at the end.
 * Clean resources are counted, not listed (unless ranking was asked for).
 */

import { type FormatContext, type Formatter, problemNote, skippedNote, summaryLine } from './common';

/** A message over several lines keeps its resource's indentation. */
const continued = (message: string) => (message.includes('\n') ? message.replace(/\r?\n/g, '\n      ') : message);

const LABEL = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW' } as const;

export function textFormatter(ctx: FormatContext): Formatter {
  return {
    begin() {
      if (ctx.ranker) ctx.write(`ranker: ${ctx.ranker}\n`);
    },
    resource(r) {
      if (r.findings.length === 0 && !r.ranked) return;
      const lines = [
        `\n${r.resource} (${r.source === '-' ? 'stdin' : r.source}:${r.line}${r.item === undefined ? '' : `, items[${r.item}]`})`,
      ];
      if (r.findings.length === 0) lines.push('  allowed by every selected policy');
      for (const f of r.findings) {
        const pss = f.pss ? ` [PSS ${f.pss}]` : '';
        if (f.exempted) {
          lines.push(`  exempted ${f.policy}${pss} (${f.severity}; reason: ${f.exempted.reason})`);
          continue;
        }
        for (const message of f.messages) lines.push(`  ${LABEL[f.severity].padEnd(8)} ${f.policy}${pss}: ${continued(message)}`);
      }
      if (r.ranked) lines.push(`  ranked: ${r.ranked.map((p) => `${p.policy} ${p.score.toFixed(3)}`).join(', ')}`);
      ctx.write(`${lines.join('\n')}\n`);
    },
    problem(p) {
      ctx.note(problemNote(p));
    },
    skipped(s) {
      ctx.note(skippedNote(s));
    },
    end(summary) {
      ctx.write(`\n${summaryLine(summary)}\n`);
    },
  };
}
