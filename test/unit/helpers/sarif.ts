/**
 * SARIF checks shared by the unit and integration tests: the SARIF 2.1.0 JSON schema (the copy
 * @microsoft/jest-sarif ships: sarif-2.1.0-rtm.5.json, SchemaStore/OASIS) compiled with ajv, and
 * what GitHub code scanning requires of an upload beyond the schema ("SARIF support for code
 * scanning": rule descriptions and help, security-severity 0.1-10, precision, at most 20 tags per
 * rule and 25,000 results per run, results with a known rule, a message, a repository-relative
 * file with a start line, and fingerprints).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

// biome-ignore lint/suspicious/noExplicitAny: a parsed SARIF log is walked loosely
type Loose = any;

const require = createRequire(import.meta.url);
const sarifSchema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'));
// the published schema has a pattern that is not valid as a unicode regular expression
const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
addFormats(ajv);
export const validateSarif = ajv.compile(sarifSchema);

/** What GitHub code scanning needs beyond the schema (docs: "SARIF support for code scanning"). */
export function githubProblems(log: Record<string, Loose>): string[] {
  const problems: string[] = [];
  if (log.version !== '2.1.0') problems.push('version must be 2.1.0');
  if (typeof log.$schema !== 'string') problems.push('$schema is required');
  for (const [r, run] of (log.runs ?? []).entries()) {
    const driver = run.tool?.driver;
    if (!driver?.name) problems.push(`runs[${r}].tool.driver.name is required`);
    const ids = (driver?.rules ?? []).map((rule: Loose) => rule.id);
    if (new Set(ids).size !== ids.length) problems.push('rule ids must be unique');
    for (const rule of driver?.rules ?? []) {
      if (!rule.shortDescription?.text || !rule.fullDescription?.text || !rule.help?.text)
        problems.push(`rule ${rule.id}: short/full description and help`);
      const score = Number(rule.properties?.['security-severity']);
      if (!(score >= 0.1 && score <= 10)) problems.push(`rule ${rule.id}: security-severity must be 0.1-10.0`);
      if ((rule.properties?.tags ?? []).length > 20) problems.push(`rule ${rule.id}: at most 20 tags`);
      if (!['very-high', 'high', 'medium', 'low'].includes(rule.properties?.precision)) problems.push(`rule ${rule.id}: precision`);
    }
    if ((run.results ?? []).length > 25_000) problems.push('at most 25,000 results per run');
    for (const result of run.results ?? []) {
      if (!ids.includes(result.ruleId)) problems.push(`result ruleId ${result.ruleId} has no rule`);
      if (result.ruleIndex !== undefined && ids[result.ruleIndex] !== result.ruleId) problems.push(`result ruleIndex of ${result.ruleId}`);
      if (!result.message?.text) problems.push('result message.text is required');
      const location = result.locations?.[0]?.physicalLocation;
      const uri: string = location?.artifactLocation?.uri ?? '';
      if (!uri || /^[a-z]+:/i.test(uri) || uri.startsWith('/')) problems.push(`result uri "${uri}" must be relative to the repository`);
      if (!(location?.region?.startLine >= 1)) problems.push('result region.startLine ≥ 1');
      if (!result.partialFingerprints || Object.keys(result.partialFingerprints).length === 0) problems.push('partialFingerprints');
    }
  }
  return problems;
}
