import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LLMProvider } from '../../activities/llm/chat';
import { FAILURE_SIGNATURES } from '../../activities/troubleshooting/ci-kb';
import { analyseCiLog, ciLogAnalysisSchema, ciLogLabelSchema, cleanLine, explainWithLlm } from '../../activities/troubleshooting/cilog';
import { readJsonl } from '../../datasets/load';
import { CI_LOGS_DIR } from '../../datasets/paths';

const CI_DIR = CI_LOGS_DIR;

describe('cleanLine', () => {
  it('drops runner timestamps and colours and unescapes logfmt quotes', () => {
    expect(cleanLine('2026-11-02T10:14:04.6610230Z \x1b[31mError\x1b[0m: x')).toBe('Error: x');
    expect(cleanLine('msg="namespaces \\"x\\" not found"')).toBe('msg="namespaces "x" not found"');
  });
});

describe('analyseCiLog', () => {
  it('names the root cause with the lines that show it', async () => {
    const log = [
      '+ kubectl apply -f k8s/',
      'service/web unchanged',
      'Error from server (Forbidden): deployments.apps "web" is forbidden: User "system:serviceaccount:ci:deployer" cannot patch resource "deployments" in API group "apps" in the namespace "shop"',
      'Error: Process completed with exit code 1.',
    ].join('\n');
    const result = ciLogAnalysisSchema.parse(await analyseCiLog(log));
    expect(result.root_cause).toBe('rbac_forbidden');
    expect(result.evidence.map((e) => e.line)).toEqual([3]);
    expect(result.yaml_patch).toContain('kind: RoleBinding');
    expect(result.confidence).toBeGreaterThan(0.5);
    expect(result.explainedBy).toBe('knowledge-base');
  });

  it('counts a repeated line once (Drain templates)', async () => {
    const waiting = Array.from(
      { length: 50 },
      (_, i) => `Waiting for deployment "web" rollout to finish: ${i % 3} of 3 updated replicas are available...`,
    );
    const result = await analyseCiLog([...waiting, 'pod/web-1 0/1 CrashLoopBackOff 5 3m'].join('\n'));
    expect(result.root_cause).toBe('rollout_crashloop');
    expect(result.stats.templates).toBeLessThan(5);
  });

  it('says unknown, with low confidence, when no signature matches', async () => {
    const result = await analyseCiLog('step 1 ok\nstep 2 ok\nsomething odd happened: error 42');
    expect(result.root_cause).toBe('unknown');
    expect(result.confidence).toBeLessThanOrEqual(0.35);
    expect(result.evidence[0]?.text).toContain('error 42');
  });

  it('rejects an empty log', async () => {
    await expect(analyseCiLog('  \n')).rejects.toThrow(/empty/);
  });

  it('keeps the LLM grounded: an explanation citing no evidence line is discarded', async () => {
    const base = await analyseCiLog('Error: UPGRADE FAILED: execution error at (auth/templates/secret.yaml:9:21): x is a required value');
    const llm = (text: string): LLMProvider => ({
      id: 'stub',
      models: { strong: 's', cheap: 'c' },
      complete: async () => ({ text, model: 'c', usage: { promptTokens: 1, completionTokens: 1 } }),
    });
    const grounded = await explainWithLlm(llm('{"explanation": "L1 shows a required value is missing", "fix": "set it"}'), base);
    expect(grounded.explainedBy).toBe('llm');
    expect(grounded.root_cause).toBe('helm_template_error');
    const ungrounded = await explainWithLlm(llm('{"explanation": "probably DNS", "fix": "reboot"}'), base);
    expect(ungrounded).toEqual(base);
    const broken = await explainWithLlm(llm('not json'), base);
    expect(broken).toEqual(base);
  });
});

describe('the labelled CI logs (datasets/ci-logs)', () => {
  const labels = readJsonl(join(CI_DIR, 'labels.jsonl'), ciLogLabelSchema);

  it('has at least 30 logs from at least 8 tools, each label a known root cause', () => {
    expect(labels.length).toBeGreaterThanOrEqual(30);
    expect(new Set(labels.map((l) => l.tool)).size).toBeGreaterThanOrEqual(8);
    const known = new Set(FAILURE_SIGNATURES.map((s) => s.id));
    for (const l of labels) expect(known.has(l.root_cause), l.file).toBe(true);
  });

  it('root-cause accuracy stays at or above 0.9', async () => {
    let correct = 0;
    for (const label of labels) {
      const result = await analyseCiLog(readFileSync(join(CI_DIR, 'logs', label.file), 'utf8'));
      if (result.root_cause === label.root_cause) correct++;
    }
    expect(correct / labels.length).toBeGreaterThanOrEqual(0.9);
  });
});
