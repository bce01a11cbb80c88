/** The drift report: self-contained, escaped, deterministic HTML and the JSON report. */
import { describe, expect, it } from 'vitest';
import type { FeatureSpec } from '../../activities/features/spec';
import {
  buildReference,
  compareToReference,
  type DataRow,
  driftReportJson,
  driftReportSchema,
  renderDriftReportHtml,
} from '../../activities/monitoring';
import { META, normalSampler, pick, prng } from './helpers/drift-data';

describe('drift report', () => {
  const nastySpec: FeatureSpec[] = [
    { name: 'cpu <limit> & "req"', type: 'numeric' },
    { name: 'image', type: 'categorical' },
    { name: 'steady', type: 'numeric' },
  ];
  const nastyRows = (seed: number, n: number, shifted = false): DataRow[] => {
    const normal = normalSampler(seed);
    const uniform = prng(seed + 7);
    return Array.from({ length: n }, () => ({
      'cpu <limit> & "req"': normal(shifted ? 1.5 : 0, 1),
      image: pick(uniform, ['nginx', '<script>alert(1)</script>', "o'brien"], shifted ? [0.2, 0.6, 0.2] : [0.7, 0.2, 0.1]),
      steady: normal(10, 2),
    }));
  };
  const ref = buildReference(nastyRows(21, 1500), nastySpec, { predictions: Array.from({ length: 1500 }, (_, i) => (i % 100) / 100) });
  const result = compareToReference(ref, nastyRows(22, 600, true), {
    predictions: Array.from({ length: 600 }, (_, i) => 0.5 + (i % 50) / 100),
  });
  const html = renderDriftReportHtml(result, META);

  it('escapes feature names and categories', () => {
    expect(html).toContain('cpu &lt;limit&gt; &amp; &quot;req&quot;');
    expect(html).not.toContain('cpu <limit>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('o&#39;brien');
  });

  it('is self-contained: no scripts, no external resources', () => {
    expect(html.toLowerCase()).not.toContain('<script');
    expect(html).not.toContain('http');
    expect(html).not.toMatch(/\b(src|href)\s*=/i);
    expect(html).not.toMatch(/<link|@import|url\(/i);
    expect(html.startsWith('<!doctype html>')).toBe(true);
  });

  it('shows the verdict, the features by severity and the charts', () => {
    expect(result.drifted).toBe(true);
    expect(html).toContain('Drift detected');
    expect(html).toContain('2 of 3 features drifted');
    const order = ['cpu &lt;limit&gt;', '<td class="name">image</td>', '<td class="name">steady</td>'].map((s) => html.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    const table = html.slice(html.indexOf('<table>'));
    expect(table.indexOf('<td class="name">steady</td>')).toBeGreaterThan(table.indexOf('<td class="name">image</td>'));
    expect(html.match(/<svg /g)).toHaveLength(3); // two drifted features + predictions
    expect(html).toContain('Prediction drift');
  });

  it('is deterministic', () => {
    const again = compareToReference(ref, nastyRows(22, 600, true), {
      predictions: Array.from({ length: 600 }, (_, i) => 0.5 + (i % 50) / 100),
    });
    expect(renderDriftReportHtml(again, META)).toBe(html);
  });

  it('renders the JSON report with features most severe first', () => {
    const report = driftReportJson(result, { ...META, version: 3, createdAt: new Date('2024-05-01T12:00:00Z') });
    expect(driftReportSchema.parse(JSON.parse(JSON.stringify(report)))).toEqual(report);
    expect(report.meta).toMatchObject({ version: '3', createdAt: '2024-05-01T12:00:00.000Z' });
    expect(report.summary).toMatchObject({ drifted: true, driftedFeatures: 2, totalFeatures: 3, predictionDrifted: true });
    expect(report.features.map((f) => f.drifted)).toEqual([true, true, false]);
    expect(report.features[2]?.name).toBe('steady');
  });

  it('renders empty current data', () => {
    const empty = renderDriftReportHtml(compareToReference(ref, []), { ...META, currentRows: 0 });
    expect(empty).toContain('No drift');
    expect(empty).toContain('not assessed');
  });
});
