import { describe, expect, it } from 'vitest';
import { generateCandidates } from '../../activities/troubleshooting/fixes';
import { applyPatch, setOps } from '../../activities/troubleshooting/patch';
import { guidedCandidates, parameterProposals, stringsOfAst } from '../../activities/troubleshooting/recommend';
import { containersOf, podSpecTokens } from '../../activities/troubleshooting/workload';
import { loadPolicyIndex } from '../../datasets/load';

const cronjob = {
  apiVersion: 'batch/v1beta1',
  kind: 'CronJob',
  metadata: { name: 'compact', namespace: 'data' },
  spec: {
    schedule: '0 * * * *',
    jobTemplate: {
      spec: {
        template: {
          spec: {
            containers: [{ name: 'c', image: 'registry.internal.example/data/compact:1.0.0', securityContext: { privileged: true } }],
            initContainers: [{ name: 'init', image: 'busybox' }],
          },
        },
      },
    },
  },
};

describe('fix catalogue', () => {
  it('knows where each kind keeps its pod spec and containers', () => {
    expect(podSpecTokens(cronjob)).toEqual(['spec', 'jobTemplate', 'spec', 'template', 'spec']);
    expect(podSpecTokens({ kind: 'Pod' })).toEqual(['spec']);
    expect(podSpecTokens({ kind: 'Service' })).toBeUndefined();
    expect(containersOf(cronjob).map((c) => `${c.list}/${c.index}`)).toEqual(['containers/0', 'initContainers/0']);
  });

  it('sets a field with replace, or adds the smallest missing object, or nothing when already set', () => {
    expect(
      setOps(cronjob, ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers', 0, 'securityContext', 'privileged'], false),
    ).toEqual([{ op: 'replace', path: '/spec/jobTemplate/spec/template/spec/containers/0/securityContext/privileged', value: false }]);
    expect(
      setOps(
        cronjob,
        ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'initContainers', 0, 'securityContext', 'readOnlyRootFilesystem'],
        true,
      ),
    ).toEqual([
      { op: 'add', path: '/spec/jobTemplate/spec/template/spec/initContainers/0/securityContext', value: { readOnlyRootFilesystem: true } },
    ]);
    expect(setOps(cronjob, ['metadata', 'name'], 'compact')).toEqual([]);
  });

  it('generates candidates that apply cleanly, with placeholders named', () => {
    const candidates = generateCandidates(cronjob);
    for (const c of candidates) expect(() => applyPatch(cronjob, c.patch)).not.toThrow();
    const ids = candidates.map((c) => c.id);
    expect(ids).toContain('apiVersion');
    expect(ids).toContain('cronjob.concurrency');
    expect(ids).toContain('job.ttl');
    expect(ids.some((id) => id.startsWith('container.privileged@'))).toBe(true);
    const digest = candidates.find((c) => c.id.startsWith('container.pinDigest@'));
    expect(digest?.placeholders.length).toBeGreaterThan(0);
    const privileged = candidates.find((c) => c.id === 'container.privileged@/spec/jobTemplate/spec/template/spec/containers/0');
    expect(applyPatch(cronjob, privileged?.patch ?? []).spec.jobTemplate.spec.template.spec.containers[0]?.securityContext).toEqual({
      privileged: false,
    });
  });

  it('guidance keeps only candidates whose fields the policy reads', () => {
    const candidates = generateCandidates(cronjob);
    const guided = guidedCandidates(candidates, new Set(['privileged']));
    expect(guided.length).toBeGreaterThan(0);
    expect(guided.every((c) => c.reads.includes('privileged'))).toBe(true);
  });

  it('reads the strings of a Rego AST', () => {
    const ast = {
      rules: [
        {
          body: [
            {
              terms: [
                {
                  type: 'ref',
                  value: [
                    { type: 'var', value: 'input' },
                    { type: 'string', value: 'spec' },
                  ],
                },
              ],
            },
          ],
        },
      ],
    };
    expect([...stringsOfAst(ast)]).toEqual(['spec']);
  });

  it('derives parameter values from the manifest', () => {
    const meta = loadPolicyIndex().find((m) => m.id === 'image-allowed-registries');
    if (!meta) throw new Error('policy missing');
    const [proposal] = parameterProposals(meta, { ...cronjob, apiVersion: 'batch/v1' });
    expect(proposal?.params['image-allowed-registries']?.registries).toEqual(
      expect.arrayContaining(['busybox/', 'registry.internal.example/']),
    );
  });
});
