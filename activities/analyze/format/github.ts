/**
 * GitHub Actions workflow commands: one annotation per denial message on its file and line
 * (critical/high → error, medium → warning, low → notice; exempted → notice), input errors as
 * errors, skipped files as notices, the summary as a plain log line. Values are escaped the way
 * the runner decodes them (% \r \n in messages; also : and , in properties).
 */
import type { Finding } from '../report';
import { type FormatContext, type Formatter, relativePath, summaryLine } from './common';

const COMMAND = { critical: 'error', high: 'error', medium: 'warning', low: 'notice' } as const;

export function escapeData(value: string): string {
  return value.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function escapeProperty(value: string): string {
  return escapeData(value).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

export function annotation(
  command: 'error' | 'warning' | 'notice',
  message: string,
  props: { file?: string; line?: number; title?: string },
): string {
  const parts = [
    ...(props.file ? [`file=${escapeProperty(props.file)}`] : []),
    ...(props.file && props.line && props.line > 0 ? [`line=${props.line}`] : []),
    ...(props.title ? [`title=${escapeProperty(props.title)}`] : []),
  ];
  return `::${command}${parts.length ? ` ${parts.join(',')}` : ''}::${escapeData(message)}\n`;
}

const title = (f: Finding) => `${f.policy} (${f.severity}${f.pss ? `, PSS ${f.pss}` : ''})`;

export function githubFormatter(ctx: FormatContext): Formatter {
  const file = (source: string) => (source === '-' ? undefined : relativePath(source, ctx.cwd));
  return {
    begin() {},
    resource(r) {
      for (const f of r.findings) {
        for (const message of f.messages) {
          ctx.write(
            f.exempted
              ? annotation('notice', `exempted (${f.exempted.reason}): ${message}`, {
                  file: file(r.source),
                  line: r.line,
                  title: `${title(f)} exempted`,
                })
              : annotation(COMMAND[f.severity], message, { file: file(r.source), line: r.line, title: title(f) }),
          );
        }
      }
    },
    problem(p) {
      ctx.write(annotation('error', p.message, { file: file(p.source), line: p.line, title: 'pac: input error' }));
    },
    skipped(s) {
      ctx.write(annotation('notice', `skipped: ${s.reason}`, { file: file(s.source), title: 'pac: skipped file' }));
    },
    end(summary) {
      ctx.write(`pac analyze: ${summaryLine(summary)}\n`);
    },
  };
}
