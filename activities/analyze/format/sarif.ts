/**
 * SARIF 2.1.0 (https://docs.oasis-open.org/sarif/sarif/v2.1.0/), shaped for GitHub code scanning:
 * one rule per policy (id, title, description, help, default level, tags, precision,
 * security-severity and the PSS level), one result per denial message with the file and the line
 * of its document, a stable partialFingerprint, and exempted findings as accepted in-source
 * suppressions. Unreadable documents and skipped files are tool notifications. Written as a stream.
 */
import { createHash } from 'node:crypto';
import type { Problem, RuleInfo, Severity, Skipped } from '../report';
import { type FormatContext, type Formatter, problemNote, relativePath, skippedNote } from './common';

export const SARIF_SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
/** GitHub maps > 9.0 to critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low */
const SECURITY_SEVERITY: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.5', low: '2.0' };
const PROBLEM_SEVERITY: Record<Severity, string> = { critical: 'error', high: 'error', medium: 'warning', low: 'recommendation' };
/** categories whose rules are security rules for code scanning (the "security" tag) */
const SECURITY_CATEGORIES = new Set(['pod-security', 'images', 'service-accounts', 'rbac', 'networking', 'secrets']);

function precision(reliability: number): string {
  return reliability >= 0.95 ? 'very-high' : reliability >= 0.85 ? 'high' : reliability >= 0.7 ? 'medium' : 'low';
}

const pascal = (id: string) => id.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

export function sarifRule(rule: RuleInfo) {
  return {
    id: rule.id,
    name: pascal(rule.id),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: { text: rule.help, markdown: rule.help.replaceAll('\n', '  \n') },
    defaultConfiguration: { level: LEVEL[rule.severity] },
    properties: {
      tags: [
        'kubernetes',
        rule.category,
        ...(SECURITY_CATEGORIES.has(rule.category) ? ['security'] : []),
        ...(rule.pss ? [`pss-${rule.pss}`] : []),
      ],
      precision: precision(rule.reliability),
      'security-severity': SECURITY_SEVERITY[rule.severity],
      'problem.severity': PROBLEM_SEVERITY[rule.severity],
      severity: rule.severity,
      pssLevel: rule.pss ?? 'none',
    },
  };
}

function location(uri: string, line: number) {
  return { physicalLocation: { artifactLocation: { uri: encodeURI(uri) }, ...(line > 0 ? { region: { startLine: line } } : {}) } };
}

export function sarifFormatter(ctx: FormatContext): Formatter {
  const index = new Map(ctx.rules.map((r, i) => [r.id, i]));
  const notifications: object[] = [];
  let first = true;
  const result = (value: object) => {
    ctx.write(`${first ? '' : ','}\n${JSON.stringify(value)}`);
    first = false;
  };
  const notify = (level: 'error' | 'note', id: string, text: string, uri: string, line: number) =>
    notifications.push({ level, descriptor: { id }, message: { text }, locations: [location(uri, line)] });
  return {
    begin() {
      const driver = {
        name: ctx.tool.name,
        fullName: 'kube-pac-copilot pac analyze',
        version: ctx.tool.version,
        semanticVersion: ctx.tool.version,
        rules: ctx.rules.map(sarifRule),
      };
      ctx.write(
        `{"$schema":${JSON.stringify(SARIF_SCHEMA_URI)},"version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver)}},"columnKind":"utf16CodeUnits","results":[`,
      );
    },
    resource(r) {
      const uri = relativePath(r.source, ctx.cwd);
      const logical = { name: r.name, fullyQualifiedName: [r.kind, r.namespace, r.name].filter(Boolean).join('/'), kind: 'resource' };
      for (const f of r.findings) {
        for (const message of f.messages) {
          const fingerprint = createHash('sha256')
            .update(JSON.stringify([f.policy, uri, logical.fullyQualifiedName, message]))
            .digest('hex')
            .slice(0, 32);
          result({
            ruleId: f.policy,
            ...(index.has(f.policy) ? { ruleIndex: index.get(f.policy) } : {}),
            level: LEVEL[f.severity],
            message: { text: message },
            locations: [{ ...location(uri, r.line), logicalLocations: [logical] }],
            partialFingerprints: { 'kpcFinding/v1': fingerprint },
            properties: { severity: f.severity, pssLevel: f.pss ?? 'none', resource: r.resource },
            ...(f.exempted ? { suppressions: [{ kind: 'inSource', status: 'accepted', justification: f.exempted.reason }] } : {}),
          });
        }
      }
    },
    problem(p: Problem) {
      ctx.note(problemNote(p));
      notify('error', 'input-error', p.message, relativePath(p.source, ctx.cwd), p.line);
    },
    skipped(s: Skipped) {
      ctx.note(skippedNote(s));
      notify('note', 'skipped-file', `skipped: ${s.reason}`, relativePath(s.source, ctx.cwd), 0);
    },
    end(summary) {
      const invocation = {
        executionSuccessful: summary.problems === 0,
        exitCode: summary.exitCode,
        toolExecutionNotifications: notifications,
      };
      ctx.write(`\n],"invocations":[${JSON.stringify(invocation)}],"properties":{"summary":${JSON.stringify(summary)}}}]}\n`);
    },
  };
}
