/** The CLI's text views of observation counts and import reports. */
import { describe, expect, it } from 'vitest';
import { formatImportReport, formatObservationCounts, type ImportReport } from '../../activities/observations';

describe('formatObservationCounts', () => {
  it('prints one aligned row per group and the totals', () => {
    const text = formatObservationCounts({
      by: ['source', 'kind'],
      since: '2026-09-01T00:00:00.000Z',
      until: null,
      total: 13,
      distinct: 11,
      rows: [
        { source: 'api', kind: 'Deployment', count: 3, distinct: 3 },
        { source: 'import', kind: 'Pod', count: 10, distinct: 8 },
      ],
    });
    expect(text).toBe(
      [
        'source  kind        count  distinct',
        'api     Deployment      3         3',
        'import  Pod            10         8',
        '13 observations, 11 distinct manifests (2026-09-01 .. now)',
        '',
      ].join('\n'),
    );
  });

  it('says when there is nothing', () => {
    expect(
      formatObservationCounts({
        by: ['source'],
        since: '2026-09-01T00:00:00.000Z',
        until: '2026-10-01T00:00:00.000Z',
        total: 0,
        distinct: 0,
        rows: [],
      }),
    ).toBe('no observations (2026-09-01 .. 2026-10-01)\n');
  });
});

describe('formatImportReport', () => {
  it('lists kinds, each broken document as file:line, and what was left out', () => {
    const report: ImportReport = {
      time: '2026-11-29T10:00:00.000Z',
      files: 2,
      imported: 4,
      distinct: 3,
      byKind: { Service: 1, Deployment: 3 },
      problems: [{ source: 'dump.yaml', line: 42, message: 'Flow sequence in block collection must end with a ]' }],
      ignored: [{ source: 'repo/values.yaml', line: 1, message: 'not a Kubernetes object' }],
      skippedDirs: [{ path: 'repo/charts/web', reason: "a Helm chart's source" }],
      compaction: null,
    };
    expect(formatImportReport(report).split('\n')).toEqual([
      'imported 4 objects (3 distinct) from 2 file(s) at 2026-11-29T10:00:00.000Z: Deployment 3, Service 1',
      'error: dump.yaml:42: Flow sequence in block collection must end with a ]',
      'ignored 1 document(s) that are not cluster objects',
      "skipped repo/charts/web: a Helm chart's source",
      '',
    ]);
  });
});
