/**
 * The output formats of `pac analyze` on one report: SARIF validated against the SARIF 2.1.0 JSON
 * schema (the copy @microsoft/jest-sarif ships, sarif-2.1.0-rtm.5.json from SchemaStore/OASIS) plus
 * what GitHub code scanning requires of an upload; JUnit XML checked by a conformant XML parser;
 * GitHub annotations escaped as the runner decodes them; text and JSON.
 */
import { SaxesParser } from 'saxes';
import { describe, expect, it } from 'vitest';
import { EXEMPT_ANNOTATION, EXEMPT_REASON_ANNOTATION, EXEMPTION_RULES } from '../../activities/analyze/exemptions';
import { createFormatter, type FormatName } from '../../activities/analyze/format';
import { annotation, escapeData, escapeProperty } from '../../activities/analyze/format/github';
import { xmlEscape } from '../../activities/analyze/format/junit';
import { loadCatalogue } from '../../activities/analyze/policies';
import { analyzeJsonReportSchema, type ResourceReport, type RuleInfo, type Summary } from '../../activities/analyze/report';
import { resourceReport } from '../../activities/analyze/run';
import { githubProblems, validateSarif } from './helpers/sarif';

// biome-ignore lint/suspicious/noExplicitAny: parsed SARIF logs and XML trees are walked loosely here
type Loose = any;
const catalogue = loadCatalogue();
const selected = ['image-no-latest-tag', 'pss-privileged', 'resources-cpu-limits', 'metadata-required-labels'];
const rules: RuleInfo[] = [...selected.map((id) => catalogue.rules.get(id) as RuleInfo), ...EXEMPTION_RULES];

const tricky = 'value "a<b>&c" 100% done,\r\nnext line: ok \u0001 ]]> --';
const resources: ResourceReport[] = [
  resourceReport(
    { source: 'deploy/web.yaml', line: 1, manifest: { kind: 'Pod', metadata: { name: 'web', namespace: 'shop' } } },
    {
      'pss-privileged': ['Pod shop/web: container "app" is privileged', tricky],
      'resources-cpu-limits': ['no cpu limit'],
      'metadata-required-labels': ['labels'],
    },
    catalogue,
    new Set(selected),
  ),
  resourceReport(
    {
      source: 'deploy/web.yaml',
      line: 14,
      manifest: {
        kind: 'Deployment',
        metadata: {
          name: 'api',
          annotations: { [EXEMPT_ANNOTATION]: 'image-no-latest-tag', [EXEMPT_REASON_ANNOTATION]: 'pinned by Flux, ticket OPS-1' },
        },
      },
    },
    { 'image-no-latest-tag': ['uses :latest'] },
    catalogue,
    new Set(selected),
  ),
  resourceReport(
    { source: 'other dir/ok.json', line: 1, manifest: { kind: 'Service', metadata: { name: 'ok' } } },
    {},
    catalogue,
    new Set(selected),
  ),
];
const summary: Summary = {
  files: 3,
  resources: 3,
  clean: 1,
  findings: { critical: 1, high: 1, medium: 0, low: 1 },
  exempted: 1,
  threshold: 'high',
  atOrAboveThreshold: 2,
  problems: 1,
  skipped: 1,
  policies: selected.length,
  exitCode: 2,
  seconds: 0.1,
};

function render(format: FormatName, threshold: Summary['threshold'] = 'high'): { out: string; notes: string[] } {
  let out = '';
  const notes: string[] = [];
  const formatter = createFormatter(format, {
    rules,
    tool: { name: 'pac', version: '0.1.0' },
    threshold,
    cwd: process.cwd(),
    write: (t) => {
      out += t;
    },
    note: (t) => notes.push(t),
  });
  formatter.begin();
  formatter.resource(resources[0] as ResourceReport);
  formatter.resource(resources[1] as ResourceReport);
  formatter.problem({ source: 'deploy/web.yaml', line: 30, message: 'Map keys must be unique' });
  formatter.fileEnd?.('deploy/web.yaml');
  formatter.skipped({ source: 'deploy/package.json', reason: 'not a Kubernetes object' });
  formatter.fileEnd?.('deploy/package.json');
  formatter.resource(resources[2] as ResourceReport);
  formatter.fileEnd?.('other dir/ok.json');
  formatter.end({ ...summary, threshold });
  return { out, notes };
}

describe('SARIF', () => {
  const log = JSON.parse(render('sarif').out);

  it('validates against the SARIF 2.1.0 JSON schema', () => {
    const valid = validateSarif(log);
    expect(validateSarif.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('has what GitHub code scanning requires', () => {
    expect(githubProblems(log)).toEqual([]);
  });

  it('the validators do fail on a broken log', () => {
    const broken = structuredClone(log);
    broken.version = '2.0.0';
    delete broken.runs[0].results[0].message;
    broken.runs[0].results[1].locations[0].physicalLocation.artifactLocation.uri = '/abs/path.yaml';
    expect(validateSarif(broken)).toBe(false);
    expect(githubProblems(broken)).toEqual(
      expect.arrayContaining([
        'version must be 2.1.0',
        'result message.text is required',
        'result uri "/abs/path.yaml" must be relative to the repository',
      ]),
    );
  });

  it('one rule per policy with title, description, help, severity and PSS level; one result per message', () => {
    const driver = log.runs[0].tool.driver;
    expect(driver.rules.map((r: Loose) => r.id)).toEqual(rules.map((r) => r.id));
    const privileged = driver.rules.find((r: Loose) => r.id === 'pss-privileged');
    expect(privileged).toMatchObject({
      shortDescription: { text: catalogue.rules.get('pss-privileged')?.title },
      defaultConfiguration: { level: 'error' },
      properties: { 'security-severity': '9.5', severity: 'critical', pssLevel: 'baseline' },
    });
    expect(privileged.properties.tags).toEqual(expect.arrayContaining(['security', 'pss-baseline']));
    expect(privileged.help.text).toMatch(/pac troubleshoot <file> --policy pss-privileged/);
    const results = log.runs[0].results;
    expect(results).toHaveLength(5);
    expect(results.filter((r: Loose) => r.ruleId === 'pss-privileged').map((r: Loose) => r.message.text)).toEqual([
      'Pod shop/web: container "app" is privileged',
      tricky,
    ]);
    expect(results[0].locations[0]).toMatchObject({
      physicalLocation: { artifactLocation: { uri: 'deploy/web.yaml' }, region: { startLine: 1 } },
      logicalLocations: [{ fullyQualifiedName: 'Pod/shop/web', kind: 'resource' }],
    });
    const fingerprints = results.map((r: Loose) => r.partialFingerprints['kpcFinding/v1']);
    expect(new Set(fingerprints).size).toBe(fingerprints.length);
  });

  it('exempted findings are accepted in-source suppressions; errors and skipped files are notifications', () => {
    const exempted = log.runs[0].results.find((r: Loose) => r.ruleId === 'image-no-latest-tag');
    expect(exempted.suppressions).toEqual([{ kind: 'inSource', status: 'accepted', justification: 'pinned by Flux, ticket OPS-1' }]);
    const notes = log.runs[0].invocations[0].toolExecutionNotifications;
    expect(notes.map((n: Loose) => [n.level, n.descriptor.id])).toEqual([
      ['error', 'input-error'],
      ['note', 'skipped-file'],
    ]);
    expect(log.runs[0].invocations[0]).toMatchObject({ executionSuccessful: false, exitCode: 2 });
  });
});

function xmlErrors(xml: string): string[] {
  const errors: string[] = [];
  const parser = new SaxesParser();
  parser.on('error', (e) => errors.push(e.message));
  parser.write(xml).close();
  return errors;
}

function xmlTree(xml: string) {
  const parser = new SaxesParser();
  const root: Loose = { name: '#root', attributes: {}, children: [], text: '' };
  const stack = [root];
  parser.on('opentag', (tag) => {
    const node = { name: tag.name, attributes: tag.attributes, children: [], text: '' };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on('text', (t) => {
    stack[stack.length - 1].text += t;
  });
  parser.on('closetag', () => stack.pop());
  parser.write(xml).close();
  return root.children[0];
}

describe('JUnit XML', () => {
  const { out, notes } = render('junit');

  it('is well-formed XML, even with markup and control characters in messages', () => {
    expect(xmlErrors(out)).toEqual([]);
    expect(xmlErrors('<a>\u0001</a>').length).toBeGreaterThan(0);
    expect(xmlErrors(`<a b="${xmlEscape(tricky)}">${xmlEscape(tricky)}</a>`)).toEqual([]);
  });

  it('one testsuite per file, one testcase per resource, one failure per policy at or above the threshold', () => {
    const root = xmlTree(out);
    expect(root.name).toBe('testsuites');
    const suites = root.children;
    expect(
      suites.map((s: Loose) => [s.attributes.name, s.attributes.tests, s.attributes.failures, s.attributes.errors, s.attributes.skipped]),
    ).toEqual([
      ['deploy/web.yaml', '3', '1', '1', '0'],
      ['deploy/package.json', '1', '0', '0', '1'],
      ['other dir/ok.json', '1', '0', '0', '0'],
    ]);
    const pod = suites[0].children[0];
    expect(pod.attributes).toMatchObject({ classname: 'deploy/web.yaml', name: 'Pod shop/web (line 1)', line: '1' });
    const failures = pod.children.filter((c: Loose) => c.name === 'failure');
    // threshold high: the critical policy fails the case; medium and low ones are listed, not failed
    expect(failures.map((c: Loose) => c.attributes.type)).toEqual(['pss-privileged']);
    expect(failures[0].text).toContain('\nvalue "a<b>&c" 100% done,');
    const out2 = pod.children.find((c: Loose) => c.name === 'system-out');
    expect(out2.text).toMatch(/below the threshold: resources-cpu-limits \(medium\)/);
    const exempted = suites[0].children[1];
    expect(exempted.children.find((c: Loose) => c.name === 'failure')).toBeUndefined();
    expect(exempted.children[0].text).toMatch(/exempted image-no-latest-tag \(medium; reason: pinned by Flux, ticket OPS-1\)/);
    expect(suites[0].children[2].children[0]).toMatchObject({ name: 'error', attributes: { message: 'Map keys must be unique' } });
    expect(notes).toEqual(['deploy/web.yaml:30: Map keys must be unique', 'note: skipped deploy/package.json: not a Kubernetes object']);
  });

  it('with threshold low every active finding is a failure', () => {
    const pod = xmlTree(render('junit', 'low').out).children[0].children[0];
    expect(pod.children.filter((c: Loose) => c.name === 'failure').map((c: Loose) => c.attributes.type)).toEqual([
      'pss-privileged',
      'resources-cpu-limits',
      'metadata-required-labels',
    ]);
  });
});

describe('GitHub annotations', () => {
  it('escapes messages (% CR LF) and properties (also : and ,) the way the runner decodes them', () => {
    expect(escapeData('50% a\r\nb')).toBe('50%25 a%0D%0Ab');
    expect(escapeProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
    expect(annotation('error', 'x\ny', { file: 'dir,1/a:b.yaml', line: 3, title: 'p (high, PSS baseline)' })).toBe(
      '::error file=dir%2C1/a%3Ab.yaml,line=3,title=p (high%2C PSS baseline)::x%0Ay\n',
    );
    expect(annotation('notice', 'm', {})).toBe('::notice::m\n');
  });

  it('one annotation per message on file and line; levels by severity; exempted and skipped as notices', () => {
    const lines = render('github').out.trimEnd().split('\n');
    expect(lines[0]).toBe(
      '::error file=deploy/web.yaml,line=1,title=pss-privileged (critical%2C PSS baseline)::Pod shop/web: container "app" is privileged',
    );
    expect(lines[1]).toBe(`::error file=deploy/web.yaml,line=1,title=pss-privileged (critical%2C PSS baseline)::${escapeData(tricky)}`);
    expect(lines.filter((l) => l.startsWith('::')).every((l) => !l.slice(2).includes('\n'))).toBe(true);
    expect(lines[2]).toMatch(/^::warning file=deploy\/web\.yaml,line=1,title=resources-cpu-limits \(medium\)::no cpu limit$/);
    expect(lines[3]).toMatch(/^::notice .*title=metadata-required-labels \(low\)::labels$/);
    expect(lines[4]).toBe(
      '::notice file=deploy/web.yaml,line=14,title=image-no-latest-tag (medium) exempted::exempted (pinned by Flux, ticket OPS-1): uses :latest',
    );
    expect(lines).toContain('::error file=deploy/web.yaml,line=30,title=pac%3A input error::Map keys must be unique');
    expect(lines).toContain('::notice file=deploy/package.json,title=pac%3A skipped file::skipped: not a Kubernetes object');
    expect(lines.at(-1)).toMatch(/^pac analyze: 3 files, 3 resources .* → exit code 2$/);
  });
});

describe('text and JSON', () => {
  it('text: grouped by resource, by severity with the PSS level, exempted marked, clean resources counted, a summary line', () => {
    const { out } = render('text');
    const blocks = out.trim().split('\n\n');
    expect(blocks[0]?.split('\n')).toEqual([
      'Pod shop/web (deploy/web.yaml:1)',
      '  CRITICAL pss-privileged [PSS baseline]: Pod shop/web: container "app" is privileged',
      '  CRITICAL pss-privileged [PSS baseline]: value "a<b>&c" 100% done,',
      '      next line: ok \u0001 ]]> --',
      '  MEDIUM   resources-cpu-limits: no cpu limit',
      '  LOW      metadata-required-labels: labels',
    ]);
    expect(blocks[1]).toBe(
      'Deployment api (deploy/web.yaml:14)\n  exempted image-no-latest-tag (medium; reason: pinned by Flux, ticket OPS-1)',
    );
    expect(out).not.toContain('Service ok');
    expect(blocks.at(-1)).toMatch(
      /^3 files, 3 resources \(1 clean\), 4 policies: 3 findings \(1 critical, 1 high, 0 medium, 1 low\), 1 exempted, 1 skipped file, 1 error; 2 at or above high → exit code 2$/,
    );
  });

  it('JSON: one document of the report schema, resources in input order', () => {
    const report = analyzeJsonReportSchema.parse(JSON.parse(render('json').out));
    expect(report.resources.map((r) => r.resource)).toEqual(['Pod shop/web', 'Deployment api', 'Service ok']);
    expect(report.errors).toEqual([{ source: 'deploy/web.yaml', line: 30, message: 'Map keys must be unique' }]);
    expect(report.skipped).toEqual([{ source: 'deploy/package.json', reason: 'not a Kubernetes object' }]);
    expect(report.summary.exitCode).toBe(2);
  });
});
