/**
 * The API's log channel: every line the server logs goes through `sanitiseLogLine` — the
 * configured secrets are replaced by [REDACTED] and PII is masked by the same function as the
 * answers (activities/qa/pii.ts `maskPii`) — before it reaches the stream. JSON lines stay JSON:
 * only string values are changed (a number is never mistaken for a card number).
 */
import { Writable } from 'node:stream';
import { maskPii } from '../activities/qa/pii';
import { mapStrings } from '../lib/redact';

export function sanitiseLogLine(line: string, redact: (text: string) => string): string {
  const clean = (text: string) => maskPii(redact(text)).text;
  const trimmed = line.trimEnd();
  if (trimmed.startsWith('{')) {
    try {
      return `${JSON.stringify(mapStrings(JSON.parse(trimmed), clean))}\n`;
    } catch {
      // not JSON after all: mask it as text
    }
  }
  return `${clean(trimmed)}\n`;
}

/** A stream that writes each sanitised line to `target` (pino writes one line per call). */
export function sanitisingStream(target: NodeJS.WritableStream, redact: (text: string) => string): Writable {
  let pending = '';
  return new Writable({
    write(chunk, _encoding, callback) {
      pending += String(chunk);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      const out = lines.map((line) => sanitiseLogLine(line, redact)).join('');
      if (out) target.write(out);
      callback();
    },
    final(callback) {
      if (pending) target.write(sanitiseLogLine(pending, redact));
      callback();
    },
  });
}
