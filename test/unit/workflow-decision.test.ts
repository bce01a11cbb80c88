/**
 * Who may decide on a draft (workflows/decision.ts): the rule the approve/reject signals, Updates
 * and Update validators of draftPolicy share.
 */
import { describe, expect, it } from 'vitest';
import { checkDecision, type DecisionContext, isAuthorisationRefusal } from '../../workflows/decision';

const waiting: DecisionContext = { phase: 'awaiting-approval', requester: 'alice', fourEyes: true, reviewers: ['bob', 'carol'] };

describe('checkDecision', () => {
  it('lets a listed reviewer other than the requester approve or reject a waiting draft', () => {
    expect(checkDecision('approve', { reviewer: ' bob ', comment: 'ok' }, 'cli', waiting)).toEqual({
      ok: true,
      reviewer: 'bob',
      text: 'ok',
    });
    expect(checkDecision('reject', { reviewer: 'carol', reason: 'too broad' }, 'signal', waiting)).toEqual({
      ok: true,
      reviewer: 'carol',
      text: 'too broad',
    });
  });

  it('refuses malformed payloads with the payload to send', () => {
    const noReviewer = checkDecision('approve', { comment: 'x' }, 'signal', waiting);
    expect(noReviewer).toMatchObject({ ok: false, refusal: 'malformed' });
    expect(!noReviewer.ok && noReviewer.message).toMatch(/"reviewer": "<name>"/);
    expect(checkDecision('reject', { reviewer: 'bob' }, 'cli', waiting)).toMatchObject({ ok: false, refusal: 'malformed' });
    expect(checkDecision('approve', null, 'signal', waiting)).toMatchObject({ ok: false, refusal: 'malformed' });
    expect(checkDecision('approve', 'bob', 'signal', waiting)).toMatchObject({ ok: false, refusal: 'malformed' });
  });

  it('refuses a decision outside the approval phase, or after the first decision', () => {
    const late = checkDecision('approve', { reviewer: 'bob' }, 'cli', { ...waiting, phase: 'published' });
    expect(late).toMatchObject({ ok: false, refusal: 'phase' });
    expect(!late.ok && late.message).toBe('approve by bob in phase published: only a draft awaiting approval can be approved');
    expect(checkDecision('reject', { reviewer: 'bob', reason: 'r' }, 'cli', { ...waiting, decidedBy: 'carol' })).toMatchObject({
      ok: false,
      refusal: 'phase',
    });
  });

  it('four-eyes: the requester cannot approve (any channel, any case), but may withdraw by rejecting', () => {
    for (const channel of ['signal', 'cli', 'api'] as const) {
      const own = checkDecision('approve', { reviewer: 'Alice' }, channel, { ...waiting, reviewers: ['Alice'] });
      expect(own).toMatchObject({ ok: false, refusal: 'four-eyes' });
      expect(isAuthorisationRefusal(own)).toBe(true);
    }
    expect(checkDecision('reject', { reviewer: 'alice', reason: 'withdrawn' }, 'api', waiting)).toMatchObject({ ok: true });
    expect(checkDecision('approve', { reviewer: 'alice' }, 'api', { ...waiting, fourEyes: false })).toMatchObject({ ok: true });
  });

  it('reviewer list: applies to signals and the CLI, not to the API (the token names the reviewer)', () => {
    const stranger = checkDecision('approve', { reviewer: 'mallory' }, 'signal', waiting);
    expect(stranger).toMatchObject({ ok: false, refusal: 'not-a-reviewer' });
    expect(!stranger.ok && stranger.message).toMatch(/not on the reviewer list \(PAC_REVIEWERS: bob, carol\)/);
    expect(checkDecision('approve', { reviewer: 'mallory' }, 'cli', waiting)).toMatchObject({ ok: false, refusal: 'not-a-reviewer' });
    expect(checkDecision('approve', { reviewer: 'mallory' }, 'api', waiting)).toMatchObject({ ok: true });
  });

  it('an empty list lets nobody decide on the signal and CLI channels; no list (older drafts) lets anyone', () => {
    const none = checkDecision('approve', { reviewer: 'bob' }, 'signal', { ...waiting, reviewers: [] });
    expect(none).toMatchObject({ ok: false, refusal: 'not-a-reviewer' });
    expect(!none.ok && none.message).toMatch(/PAC_REVIEWERS is empty/);
    expect(checkDecision('approve', { reviewer: 'bob' }, 'signal', { ...waiting, reviewers: null })).toMatchObject({ ok: true });
    expect(isAuthorisationRefusal(checkDecision('approve', {}, 'signal', waiting))).toBe(false);
  });
});
