/**
 * The JSON report (analyzeJsonReportSchema), written as it goes: one resource per line inside
 * "resources", then errors, skipped files and the summary. Valid JSON for any input size.
 */

import type { Problem, Skipped } from '../report';
import type { FormatContext, Formatter } from './common';

export function jsonFormatter(ctx: FormatContext): Formatter {
  let first = true;
  const errors: Problem[] = [];
  const skipped: Skipped[] = [];
  return {
    begin() {
      ctx.write(`{"tool":${JSON.stringify(ctx.tool)},${ctx.ranker ? `"ranker":${JSON.stringify(ctx.ranker)},` : ''}"resources":[`);
    },
    resource(r) {
      ctx.write(`${first ? '' : ','}\n${JSON.stringify(r)}`);
      first = false;
    },
    problem(p) {
      errors.push(p);
    },
    skipped(s) {
      skipped.push(s);
    },
    end(summary) {
      ctx.write(
        `\n],\n"errors":${JSON.stringify(errors)},\n"skipped":${JSON.stringify(skipped)},\n"summary":${JSON.stringify(summary)}}\n`,
      );
    },
  };
}
