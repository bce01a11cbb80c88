/**
 * JUnit XML for CI test reports: one <testsuite> per file, one <testcase> per resource, one
 * <failure> per policy that denies it at or above the threshold (all its messages in the body).
 * Findings below the threshold and exempted ones are listed in the case's <system-out>; unreadable
 * documents are <error> cases; a skipped file is a suite with one <skipped> case. A file's cases
 * are spooled (to a temporary file past a few MB) until the file ends, because the suite's counts
 * come first.
 */
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { atOrAbove } from '../severity';
import { type FormatContext, type Formatter, problemNote, relativePath, skippedNote, summaryLine } from './common';

/** Characters XML 1.0 cannot hold: C0 controls but tab, LF and CR; U+FFFE, U+FFFF; unpaired surrogates. */
const NOT_XML =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the characters this pattern exists to find
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Characters XML 1.0 cannot hold become U+FFFD; markup characters become entities. */
export function xmlEscape(value: string): string {
  return value
    .replace(NOT_XML, '\uFFFD')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}

const attrs = (values: Record<string, string | number>) =>
  Object.entries(values)
    .map(([k, v]) => `${k}="${xmlEscape(String(v))}"`)
    .join(' ');

const SPOOL_LIMIT = 4 << 20;

/** Text kept in memory up to SPOOL_LIMIT characters, then in a temporary file. */
class Spool {
  private parts: string[] = [];
  private size = 0;
  private fd?: number;
  private dir?: string;

  add(text: string): void {
    if (this.fd !== undefined) {
      writeSync(this.fd, text);
      return;
    }
    this.parts.push(text);
    this.size += text.length;
    if (this.size > SPOOL_LIMIT) {
      this.dir = mkdtempSync(join(tmpdir(), 'pac-junit-'));
      this.fd = openSync(join(this.dir, 'suite.xml'), 'w+');
      writeSync(this.fd, this.parts.join(''));
      this.parts = [];
    }
  }

  drain(write: (text: string) => void): void {
    if (this.fd === undefined) write(this.parts.join(''));
    else {
      const buffer = Buffer.alloc(1 << 20);
      const decoder = new StringDecoder('utf8');
      let position = 0;
      for (
        let n = readSync(this.fd, buffer, 0, buffer.length, position);
        n > 0;
        n = readSync(this.fd, buffer, 0, buffer.length, position)
      ) {
        write(decoder.write(buffer.subarray(0, n)));
        position += n;
      }
      write(decoder.end());
      closeSync(this.fd);
      rmSync(this.dir as string, { recursive: true, force: true });
    }
    this.parts = [];
    this.size = 0;
    this.fd = undefined;
    this.dir = undefined;
  }
}

export function junitFormatter(ctx: FormatContext): Formatter {
  const spool = new Spool();
  let counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
  /** a test case of a file that is not a resource: an unreadable document, a skipped file */
  const addCase = (source: string, name: string, element: string) => {
    counts.tests++;
    const file = relativePath(source, ctx.cwd);
    spool.add(`    <testcase ${attrs({ classname: file, name, file })}>\n      ${element}\n    </testcase>\n`);
  };
  return {
    begin() {
      ctx.write(`<?xml version="1.0" encoding="UTF-8"?>\n<testsuites ${attrs({ name: 'pac analyze' })}>\n`);
    },
    resource(r) {
      const file = relativePath(r.source, ctx.cwd);
      const failing = r.findings.filter((f) => !f.exempted && atOrAbove(f.severity, ctx.threshold));
      const other = r.findings.filter((f) => !failing.includes(f));
      counts.tests++;
      if (failing.length) counts.failures++;
      const body = [
        ...failing.map(
          (f) =>
            `      <failure ${attrs({ type: f.policy, message: `[${f.severity}${f.pss ? `, PSS ${f.pss}` : ''}] ${f.policy}: ${f.messages[0]}` })}>${xmlEscape(f.messages.join('\n'))}</failure>\n`,
        ),
        ...(other.length
          ? [
              `      <system-out>${xmlEscape(
                other
                  .map((f) =>
                    f.exempted
                      ? `exempted ${f.policy} (${f.severity}; reason: ${f.exempted.reason})`
                      : `below the threshold: ${f.policy} (${f.severity}): ${f.messages.join(' | ')}`,
                  )
                  .join('\n'),
              )}</system-out>\n`,
            ]
          : []),
      ];
      const name = `${r.resource} (line ${r.line}${r.item === undefined ? '' : `, items[${r.item}]`})`;
      spool.add(
        `    <testcase ${attrs({ classname: file, name, file, line: r.line })}${body.length ? `>\n${body.join('')}    </testcase>\n` : '/>\n'}`,
      );
    },
    problem(p) {
      ctx.note(problemNote(p));
      counts.errors++;
      addCase(
        p.source,
        p.line > 0 ? `document at line ${p.line}` : 'file',
        `<error ${attrs({ type: 'input-error', message: p.message })}/>`,
      );
    },
    skipped(s) {
      ctx.note(skippedNote(s));
      counts.skipped++;
      addCase(s.source, 'file', `<skipped ${attrs({ message: s.reason })}/>`);
    },
    fileEnd(source) {
      if (counts.tests > 0) {
        ctx.write(`  <testsuite ${attrs({ name: relativePath(source, ctx.cwd), ...counts })}>\n`);
        spool.drain(ctx.write);
        ctx.write('  </testsuite>\n');
      }
      counts = { tests: 0, failures: 0, errors: 0, skipped: 0 };
    },
    end(summary) {
      ctx.write(`</testsuites>\n<!-- ${summaryLine(summary).replaceAll('--', '- -')} -->\n`);
    },
  };
}
