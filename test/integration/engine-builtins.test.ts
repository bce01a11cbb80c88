/**
 * The engine's host built-ins against real OPA: every call of test/fixtures/engine/builtin-cases.rego
 * (Go fmt verbs, flags, widths and error texts for sprintf; units.parse and units.parse_bytes;
 * RE2-style regex.replace/split/find_n; strings.*, indexof_n, semver.*, numbers.range_step),
 * compiled to wasm by the engine and evaluated by our host, gives what `opa eval` gives — including
 * which calls are undefined (OPA's error cases); json.marshal, which the engine compiles to its own
 * Go-exact host built-in. Plus: a built-in the host lacks is refused at compile time, naming the file
 * and line.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { draftEngine, EngineCompileError } from '../../activities/engine';
import { opaEval } from '../../activities/opa/eval';
import { testConfig } from './harness';

const CASES = 'test/fixtures/engine/builtin-cases.rego';

/** index → result of every defined case. */
function byIndex(values: unknown[]): Map<number, unknown> {
  return new Map(values.map((v) => v as [number, unknown]).map(([i, r]) => [i, r]));
}

describe('host built-ins', () => {
  it('give what opa eval gives on every case', async () => {
    const text = readFileSync(CASES, 'utf8');
    const total = text.split('\n').filter((line) => line.startsWith('deny contains')).length;
    const report = await opaEval({ opa: testConfig().opa, query: 'data.kpc.policies.builtin_cases.deny', dataPaths: [CASES] });
    const expected = byIndex(report.result[0]?.expressions?.[0]?.value as unknown[]);

    const engine = await draftEngine(testConfig(), { id: 'builtin-cases', policy: text });
    try {
      const [verdict] = await engine.evaluate([{}]);
      // every message is an [index, result] pair, not a string: reported as JSON
      const messages = verdict?.denied['builtin-cases'] ?? [];
      expect(verdict?.malformed?.['builtin-cases']).toBe(messages.length);
      const actual = byIndex(messages.map((m) => JSON.parse(m)));
      const differences = [...new Set([...expected.keys(), ...actual.keys()])]
        .sort((a, b) => a - b)
        .filter((i) => JSON.stringify(expected.get(i)) !== JSON.stringify(actual.get(i)))
        .map((i) => `case ${i}: opa eval ${JSON.stringify(expected.get(i))}, engine ${JSON.stringify(actual.get(i))}`);
      expect(differences).toEqual([]);
      // the cases are many, and some are errors (undefined) in both
      expect(expected.size).toBeGreaterThan(150);
      expect(expected.size).toBeLessThan(total);
    } finally {
      await engine.close();
    }
  });

  it('refuses at compile time a built-in the host does not provide, naming file and line', async () => {
    const policy = [
      'package kpc.policies.uses_yaml',
      'import rego.v1',
      'deny contains msg if {',
      '\tmsg := yaml.marshal(input)',
      '}',
      '',
    ].join('\n');
    const error = await draftEngine(testConfig(), { id: 'uses-yaml', policy }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineCompileError);
    expect((error as EngineCompileError).details.join('\n')).toMatch(
      /uses-yaml\/policy\.rego:4: yaml\.marshal is not supported by the engine/,
    );
  });
});
