/**
 * The input limits shared by the CLI and the API (lib/input-limits.ts, lib/read-input.ts) and
 * their use by the manifest reader: sizes, depth, lengths, duplicate keys, recursive aliases,
 * prototype keys, UTF-8, each reported with its line or JSON path; and the masking helpers of the
 * Q&A output channels (one function, maskPii, applied everywhere).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { excerptOf } from '../../activities/qa/graph';
import { maskedJsonArtifact, maskPii, maskPiiDeep } from '../../activities/qa/pii';
import { parseJsonBody } from '../../api/body';
import { checkTextSize, checkValue, INPUT_LIMITS } from '../../lib/input-limits';
import { readManifestText } from '../../lib/manifest-stream';
import { decodeTextInput, readTextInput } from '../../lib/read-input';

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n';
const problemsOf = (text: string) => readManifestText(text, 'in.yaml').problems.map((p) => `${p.line}: ${p.message}`);

describe('limits on values', () => {
  it('names the JSON path of a value too deep, too long, recursive or polluting', () => {
    const deep = JSON.parse(`{"spec": ${'{"a": '.repeat(70)}1${'}'.repeat(70)}}`);
    expect(checkValue(deep)).toMatchObject({ kind: 'shape', message: 'nested deeper than 64 levels' });
    expect(checkValue(deep)?.path).toMatch(/^\.spec\.a\.a\.a.*…\(6\d levels\)$/);
    expect(checkValue({ items: new Array(INPUT_LIMITS.collectionLength + 1).fill(0) })).toEqual({
      path: '.items',
      message: '10001 items, more than the 10000 allowed in one array',
      kind: 'size',
    });
    const cycle: Record<string, unknown> = { a: [] };
    (cycle.a as unknown[]).push(cycle);
    expect(checkValue(cycle)?.message).toMatch(/contains itself/);
    expect(checkValue(JSON.parse('{"x": {"__proto__": {"admin": true}}}'))?.path).toBe('.x.__proto__');
    expect(checkValue({ constructor: { prototype: { admin: true } } })?.path).toBe('.constructor');
    expect(checkValue({ text: 'x'.repeat(INPUT_LIMITS.textBytes + 1) })).toMatchObject({ path: '.text', kind: 'size' });
    // shared references (YAML aliases within the limits) are not cycles
    const shared = { a: 1 };
    expect(checkValue({ x: shared, y: [shared, shared] })).toBeUndefined();
  });

  it('walks a value 1,000,000 levels deep without overflowing the stack', () => {
    const text = `${'['.repeat(1_000_000)}${']'.repeat(1_000_000)}`;
    expect(checkValue(JSON.parse(text))?.message).toMatch(/nested deeper/);
    expect(() => parseJsonBody(Buffer.from(`{"a": ${text}}`))).toThrow(/^body\.a\[0\]\[0\].*nested deeper than 64 levels/);
  });

  it('counts UTF-8 bytes only when it could matter', () => {
    expect(checkTextSize('é'.repeat(1000))).toBeUndefined();
    expect(checkTextSize('é'.repeat(INPUT_LIMITS.textBytes / 2 + 1))?.message).toMatch(/4\.0 MiB, larger than the 4\.0 MiB limit/);
  });
});

describe('the manifest reader under the limits', () => {
  it('reports each problem with its line, in linear time for duplicate keys', () => {
    expect(problemsOf(`${POD}  name: other\n`)).toEqual(['5: .metadata.name: the key "name" appears twice in one mapping']);
    expect(problemsOf(`${POD}spec: &a\n  x: [*a]\n`)).toEqual(['1: .spec.x[0]: the value contains itself (a recursive alias)']);
    expect(problemsOf(`${POD}spec:\n  x: ${'['.repeat(5000)}${']'.repeat(5000)}\n`)[0]).toMatch(/^\d+: nested deeper than 64 levels/);
    const many = `${POD}spec:\n  containers:\n${'  - name: a\n'.repeat(10_001)}`;
    expect(problemsOf(many)).toEqual(['7: .spec.containers: 10001 items, more than the 10000 allowed in one array']);
    const keys = Array.from({ length: 9_000 }, (_, i) => `  k${i}: v`).join('\n');
    const started = performance.now();
    expect(problemsOf(`apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n${keys}\n`)).toEqual([]);
    // yaml's own unique-key check is quadratic (an 11 MB ConfigMap took 144 s); ours is linear
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('refuses an input over the size limit before parsing it', () => {
    expect(problemsOf(`${POD}data: "${'x'.repeat(INPUT_LIMITS.textBytes)}"\n`)).toEqual([
      '1: the input is 4.0 MiB, larger than the 4.0 MiB limit on one input',
    ]);
  });
});

describe('reading input files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pac-read-'));
  const file = (name: string, content: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return path;
  };

  it('refuses invalid UTF-8 and binary files with file:line, keeps text (a BOM dropped)', () => {
    expect(readTextInput(file('ok.yaml', `\ufeff${POD}`))).toBe(POD);
    const latin1 = file('latin1.yaml', Buffer.concat([Buffer.from(POD), Buffer.from([0x20, 0x20, 0x63, 0xe9, 0x0a])]));
    expect(() => readTextInput(latin1)).toThrow(new RegExp(`^${latin1}:5: not UTF-8 text \\(invalid byte 0xe9 at byte \\d+\\)`));
    expect(() => readTextInput(file('nul.yaml', `${POD}x\u0000`))).toThrow(/nul\.yaml:5: a binary file \(NUL byte\)/);
    for (const bytes of [
      [0xc0, 0xaf],
      [0xed, 0xa0, 0x80],
      [0xf4, 0x90, 0x80, 0x80],
      [0xe2, 0x82],
    ])
      expect(() => decodeTextInput(Uint8Array.from(bytes), 'x'), bytes.join(',')).toThrow(/not UTF-8/);
    expect(decodeTextInput(Buffer.from('ü € 😀'), 'x')).toBe('ü € 😀');
  });

  it('refuses a file over the limit before reading it', () => {
    const big = file('big.yaml', Buffer.alloc(INPUT_LIMITS.textBytes + 1, 0x20));
    expect(() => readTextInput(big)).toThrow(/big\.yaml: the input is 4\.0 MiB, larger than the 4\.0 MiB limit/);
  });
});

describe('one mask for every Q&A channel', () => {
  it('masks before cutting an excerpt, so half a phone number never leaks', () => {
    const text = `${'word '.repeat(57)}call +1 415-555-0199 now and more text after it`;
    const cutFirst = maskPii(text.slice(0, 300)).text;
    expect(cutFirst).toMatch(/415-555$/); // the old way: the cut number is no longer recognised
    expect(excerptOf(text)).not.toMatch(/415|555|0199/);
    expect(excerptOf(text)).toContain('[PHONE]');
  });

  it('masks every string of a record and counts what it masked', () => {
    const record = { answer: 'mail a@b.io', citations: [{ heading: 'Call +1 415-555-0199', n: 1 }], ok: true };
    const { value, findings } = maskPiiDeep(record);
    expect(value).toEqual({ answer: 'mail [EMAIL]', citations: [{ heading: 'Call [PHONE]', n: 1 }], ok: true });
    expect(findings).toEqual({ email: 1, phone: 1 });
    expect(JSON.parse(maskedJsonArtifact({ rows: [{ question: 'SSN 123-45-6789?' }] }))).toEqual({ rows: [{ question: 'SSN [US_SSN]?' }] });
  });
});
