import { describe, expect, it } from 'vitest';
import { Drain, maskLine, mineTemplates, WILDCARD } from '../../activities/troubleshooting/drain';

describe('maskLine', () => {
  it('masks timestamps, digests, IPs, hex ids and numbers', () => {
    expect(maskLine('2026-11-02T10:14:04.6610230Z pulled sha256:9f1cabcdef012345 from 10.0.3.17:8443 in 12ms, 3 layers')).toBe(
      '<TS> pulled <DIGEST> from <IP> in <NUM>, <NUM> layers',
    );
    expect(maskLine('\x1b[31merror\x1b[0m   here')).toBe('error here');
  });
});

describe('Drain', () => {
  it('groups lines that differ in variable tokens into one template', () => {
    const lines = [
      'Waiting for deployment "cart" rollout to finish: 0 of 2 updated replicas are available...',
      'Waiting for deployment "cart" rollout to finish: 1 of 2 updated replicas are available...',
      'Waiting for deployment "search" rollout to finish: 1 of 3 updated replicas are available...',
      'error: deployment "cart" exceeded its progress deadline',
    ];
    const { templates, templateOf } = mineTemplates(lines);
    expect(templates).toHaveLength(2);
    expect(templateOf).toEqual([0, 0, 0, 1]);
    expect(templates[0]?.count).toBe(3);
    expect(templates[0]?.template).toContain(WILDCARD);
    expect(templates[0]?.template.startsWith('Waiting for deployment')).toBe(true);
  });

  it('keeps lines of different lengths or different leading words apart', () => {
    const drain = new Drain();
    const a = drain.add('user alice logged in');
    const b = drain.add('user alice logged in from office');
    const c = drain.add('disk sda1 is full');
    expect(new Set([a?.id, b?.id, c?.id]).size).toBe(3);
    expect(drain.add('')).toBeUndefined();
  });

  it('does not merge dissimilar lines of the same length', () => {
    const drain = new Drain({ similarity: 0.6 });
    const a = drain.add('pod web restarted after crash');
    const b = drain.add('pod web evicted by kubelet');
    expect(a?.id).not.toBe(b?.id);
    expect(Drain.similarityOf(['a', '<*>', 'c'], ['a', 'x', 'd'])).toBeCloseTo(0.5);
  });

  it('rejects bad options', () => {
    expect(() => new Drain({ depth: 0 })).toThrow(RangeError);
    expect(() => new Drain({ similarity: 1.5 })).toThrow(RangeError);
  });
});
