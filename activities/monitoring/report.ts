/**
 * The drift report: a JSON object (`driftReportJson`) and a single self-contained HTML page
 * (`renderDriftReportHtml`) — inline CSS and inline SVG charts, no scripts, fonts or external
 * resources — both made from a `DriftResult` alone, deterministically (same input, same bytes).
 * Every piece of text from the data (feature names, categories, reasons, meta) is HTML-escaped.
 */
import { z } from 'zod';
import { sortBySeverity } from './comparison';
import { formatNumber, formatPValue, formatShare } from './format';
import {
  type BinShare,
  type DriftResult,
  driftResultSchema,
  driftSettingsSchema,
  type FeatureDrift,
  featureDriftSchema,
  type NumericDrift,
  numericDriftSchema,
} from './schemas';

export const driftReportMetaSchema = z.object({
  title: z.string().min(1),
  model: z.string(),
  version: z.union([z.string(), z.number()]).transform((v) => String(v)),
  /** an ISO timestamp (a Date is converted with toISOString) */
  createdAt: z.union([z.string(), z.date()]).transform((v) => (typeof v === 'string' ? v : v.toISOString())),
  referenceRows: z.number().int().min(0),
  currentRows: z.number().int().min(0),
  /** what the current data is (the observation window and its sources, or a simulated demo) */
  data: z.string().optional(),
});
export type DriftReportMetaInput = z.input<typeof driftReportMetaSchema>;
export type DriftReportMeta = z.output<typeof driftReportMetaSchema>;

export const DRIFT_REPORT_KIND = 'kpc.drift-report';

export const driftReportSchema = z.object({
  schemaVersion: z.literal(1),
  kind: z.literal(DRIFT_REPORT_KIND),
  meta: z.object({
    title: z.string(),
    model: z.string(),
    version: z.string(),
    createdAt: z.string(),
    referenceRows: z.number().int().min(0),
    currentRows: z.number().int().min(0),
    data: z.string().optional(),
  }),
  summary: z.object({
    drifted: z.boolean(),
    driftShare: z.number().min(0).max(1),
    driftedFeatures: z.number().int().min(0),
    totalFeatures: z.number().int().min(0),
    assessedFeatures: z.number().int().min(0),
    /** null when prediction drift was not assessed */
    predictionDrifted: z.boolean().nullable(),
    reasons: z.array(z.string()),
  }),
  settings: driftSettingsSchema,
  /** most severe first */
  features: z.array(featureDriftSchema),
  prediction: numericDriftSchema.nullable(),
});
export type DriftReport = z.infer<typeof driftReportSchema>;

export interface RenderOptions {
  /** charts of the most severe drifted features (default 6) */
  maxCharts?: number;
}

function parseInputs(result: DriftResult, meta: DriftReportMetaInput): { result: DriftResult; meta: DriftReportMeta } {
  const parsedResult = driftResultSchema.safeParse(result);
  if (!parsedResult.success) throw new Error(`drift report: invalid drift result:\n${z.prettifyError(parsedResult.error)}`);
  const parsedMeta = driftReportMetaSchema.safeParse(meta);
  if (!parsedMeta.success) throw new Error(`drift report: invalid meta:\n${z.prettifyError(parsedMeta.error)}`);
  return { result: parsedResult.data, meta: parsedMeta.data };
}

function predictionDrifted(prediction: NumericDrift | null): boolean | null {
  if (prediction === null || (prediction.psi === null && !prediction.drifted)) return null;
  return prediction.drifted;
}

/** The JSON report (an MLflow artifact): meta, summary, settings, features most severe first. */
export function driftReportJson(result: DriftResult, meta: DriftReportMetaInput): DriftReport {
  const parsed = parseInputs(result, meta);
  const r = parsed.result;
  return {
    schemaVersion: 1,
    kind: DRIFT_REPORT_KIND,
    meta: parsed.meta,
    summary: {
      drifted: r.drifted,
      driftShare: r.driftShare,
      driftedFeatures: r.driftedFeatures,
      totalFeatures: r.totalFeatures,
      assessedFeatures: r.assessedFeatures,
      predictionDrifted: predictionDrifted(r.prediction),
      reasons: r.reasons,
    },
    settings: r.settings,
    features: sortBySeverity(r.features),
    prediction: r.prediction,
  };
}

// ---------------------------------------------------------------------------------------------
// HTML
// ---------------------------------------------------------------------------------------------

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Shortens to `max` code points (never splits a surrogate pair), with an ellipsis. */
function truncate(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

function fixed(x: number): string {
  return x.toFixed(1);
}

const CSS = `
:root{--ref:#4c78a8;--cur:#f58518;--bad:#b42318;--ok:#067647;--muted:#667085;--line:#e4e7ec}
*{box-sizing:border-box}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#101828;background:#f9fafb}
main{max-width:1120px;margin:0 auto;padding:24px}
h1{font-size:22px;margin:0 0 4px}
h2{font-size:17px;margin:28px 0 10px}
.meta{color:var(--muted);margin:0}
.summary{border:1px solid var(--line);border-left:6px solid var(--ok);background:#fff;padding:14px 18px;border-radius:8px;margin-top:16px}
.summary.drifted{border-left-color:var(--bad)}
.verdict{font-size:18px;font-weight:700;color:var(--ok)}
.summary.drifted .verdict{color:var(--bad)}
.summary ul{margin:8px 0 0;padding-left:20px}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid var(--line)}
th,td{padding:6px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}
th{background:#f2f4f7;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.name{word-break:break-all;font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
tr.drifted td:first-child{box-shadow:inset 4px 0 0 var(--bad)}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;font-weight:600;white-space:nowrap}
.badge.drifted{background:#fee4e2;color:var(--bad)}
.badge.stable{background:#dcfae6;color:var(--ok)}
.badge.na{background:#f2f4f7;color:var(--muted)}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:16px}
figure{margin:0;background:#fff;border:1px solid var(--line);border-radius:8px;padding:10px 12px;overflow-x:auto}
figcaption{font-weight:600;margin-bottom:6px;word-break:break-all}
figcaption small{display:block;font-weight:400;color:var(--muted);word-break:normal}
svg{display:block;max-width:100%;height:auto}
svg .ref{fill:var(--ref)}
svg .cur{fill:var(--cur)}
svg .grid{stroke:var(--line)}
svg .axis{stroke:#98a2b3}
svg text{font-size:11px;fill:#475467}
svg text.other{font-style:italic}
.legend{color:var(--muted);font-size:12px}
.legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;vertical-align:middle}
.legend i.ref{background:var(--ref)}
.legend i.cur{background:var(--cur)}
footer{margin-top:28px;color:var(--muted);font-size:12px}
`.trim();

function verdictBadge(f: { drifted: boolean; psi: number | null }): string {
  if (f.drifted) return '<span class="badge drifted">drifted</span>';
  if (f.psi === null) return '<span class="badge na">not assessed</span>';
  return '<span class="badge stable">stable</span>';
}

function dash(x: number | null, format: (x: number) => string): string {
  return x === null ? '—' : format(x);
}

function testCell(f: FeatureDrift): string {
  if (f.type === 'numeric') return f.ks === null ? '—' : `KS D = ${f.ks.statistic.toFixed(3)}, p = ${formatPValue(f.ks.pValue)}`;
  return f.chiSquare === null
    ? '—'
    : `χ² = ${formatNumber(f.chiSquare.statistic)} (dof ${f.chiSquare.dof}), p = ${formatPValue(f.chiSquare.pValue)}`;
}

function missingCell(f: FeatureDrift): string {
  const current = f.missingShare.current;
  return `${formatShare(f.missingShare.reference)} → ${current === null ? '—' : formatShare(current)}`;
}

function featureTable(features: readonly FeatureDrift[]): string {
  if (features.length === 0) return '<p>No features.</p>';
  const rows = features.map((f) => {
    const js = f.type === 'categorical' ? f.jensenShannon : null;
    return [
      `<tr class="${f.drifted ? 'drifted' : 'stable'}">`,
      `<td class="name">${escapeHtml(f.name)}</td>`,
      `<td>${f.type}</td>`,
      `<td>${verdictBadge(f)}</td>`,
      `<td class="num">${dash(f.psi, (x) => x.toFixed(3))}</td>`,
      `<td class="num">${dash(js, (x) => x.toFixed(3))}</td>`,
      `<td class="num">${escapeHtml(testCell(f))}</td>`,
      `<td class="num">${escapeHtml(missingCell(f))}</td>`,
      `<td>${escapeHtml(f.reason)}</td>`,
      '</tr>',
    ].join('');
  });
  return [
    '<table>',
    '<thead><tr><th>Feature</th><th>Type</th><th>Verdict</th><th>PSI</th><th>JS distance</th><th>Test</th><th>Missing (ref → cur)</th><th>Reason</th></tr></thead>',
    `<tbody>${rows.join('\n')}</tbody>`,
    '</table>',
  ].join('\n');
}

const Y_STEPS = [0.05, 0.1, 0.2, 0.25, 0.4, 0.5, 0.6, 0.8, 1];

/** Grouped bars (reference vs current share per bin or category) as inline SVG. */
function barChart(bins: readonly BinShare[], ariaLabel: string): string {
  const plotHeight = 120;
  const top = 10;
  const left = 42;
  const rotate = bins.length > 6 || bins.some((b) => Array.from(b.label).length > 8);
  // rotated labels run down and to the right of their tick
  const right = rotate ? 84 : 8;
  const bottom = rotate ? 84 : 26;
  const groupWidth = bins.length > 12 ? 30 : 44;
  const plotWidth = Math.max(240, bins.length * groupWidth);
  const width = left + plotWidth + right;
  const height = top + plotHeight + bottom;
  const largest = Math.max(0, ...bins.map((b) => Math.max(b.reference, b.current)));
  const yMax = Y_STEPS.find((s) => s >= largest) ?? 1;
  const y = (share: number) => top + plotHeight - (share / yMax) * plotHeight;
  const gw = plotWidth / Math.max(1, bins.length);
  const barWidth = gw * 0.36;

  const parts: string[] = [
    `<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeHtml(ariaLabel)}">`,
  ];
  for (const tick of [0, yMax / 2, yMax]) {
    const ty = fixed(y(tick));
    parts.push(`<line class="grid" x1="${left}" y1="${ty}" x2="${left + plotWidth}" y2="${ty}"/>`);
    parts.push(`<text x="${left - 4}" y="${ty}" dy="4" text-anchor="end">${formatShare(tick).replace('.0%', '%')}</text>`);
  }
  parts.push(`<line class="axis" x1="${left}" y1="${top + plotHeight}" x2="${left + plotWidth}" y2="${top + plotHeight}"/>`);
  bins.forEach((b, i) => {
    const label = b.other ? '(other)' : b.label;
    const tip = escapeHtml(`${label}: reference ${formatShare(b.reference)}, current ${formatShare(b.current)}`);
    const x0 = left + i * gw + gw * 0.12;
    for (const [cls, share, x] of [
      ['ref', b.reference, x0],
      ['cur', b.current, x0 + barWidth + gw * 0.04],
    ] as const) {
      const h = (share / yMax) * plotHeight;
      parts.push(
        `<rect class="${cls}" x="${fixed(x)}" y="${fixed(top + plotHeight - h)}" width="${fixed(barWidth)}" height="${fixed(h)}"><title>${tip}</title></rect>`,
      );
    }
    const cx = fixed(left + (i + 0.5) * gw);
    const ly = top + plotHeight + 14;
    const text = escapeHtml(truncate(label, rotate ? 18 : 10));
    const cls = b.other ? ' class="other"' : '';
    parts.push(
      rotate
        ? `<text${cls} x="${cx}" y="${ly}" text-anchor="start" transform="rotate(40 ${cx} ${ly})"><title>${tip}</title>${text}</text>`
        : `<text${cls} x="${cx}" y="${ly}" text-anchor="middle"><title>${tip}</title>${text}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('');
}

const LEGEND = '<div class="legend"><i class="ref"></i>reference<i class="cur"></i>current</div>';

function featureFigure(f: FeatureDrift): string {
  return [
    '<figure>',
    `<figcaption>${escapeHtml(f.name)} <small>${f.type} · ${f.drifted ? 'drifted' : 'not drifted'} · ${escapeHtml(f.reason)}</small></figcaption>`,
    barChart(f.bins, `${f.name}: reference vs current shares`),
    LEGEND,
    '</figure>',
  ].join('\n');
}

function chartsSection(features: readonly FeatureDrift[], maxCharts: number): string {
  const drifted = features.filter((f) => f.drifted && f.bins.length > 0).slice(0, maxCharts);
  if (drifted.length > 0) {
    return `<h2>Top drifted features</h2>\n<div class="charts">\n${drifted.map(featureFigure).join('\n')}\n</div>`;
  }
  const largest = features.filter((f) => f.psi !== null && f.bins.length > 0).slice(0, Math.min(3, maxCharts));
  if (largest.length === 0) return '<h2>Top drifted features</h2>\n<p>No feature drifted.</p>';
  return `<h2>Largest changes</h2>\n<p>No feature drifted; the largest changes are shown.</p>\n<div class="charts">\n${largest.map(featureFigure).join('\n')}\n</div>`;
}

function predictionSection(prediction: NumericDrift | null): string {
  if (prediction === null)
    return '<h2>Prediction drift</h2>\n<p>Not assessed: no prediction scores for the reference or the current data.</p>';
  const state = prediction.drifted ? 'drifted' : prediction.psi === null ? 'not assessed' : 'stable';
  const chart =
    prediction.bins.length > 0 ? `${barChart(prediction.bins, 'prediction scores: reference vs current shares')}\n${LEGEND}` : '';
  return [
    '<h2>Prediction drift</h2>',
    '<figure>',
    `<figcaption>prediction scores <small>${state} · ${escapeHtml(prediction.reason)}</small></figcaption>`,
    chart,
    '</figure>',
  ].join('\n');
}

/**
 * The drift report as one self-contained HTML page: summary (verdict, share drifted, reasons), the
 * features most severe first, charts of the top drifted features and of the prediction scores.
 */
export function renderDriftReportHtml(result: DriftResult, meta: DriftReportMetaInput, options: RenderOptions = {}): string {
  const report = driftReportJson(result, meta);
  const maxCharts = Math.max(0, Math.floor(options.maxCharts ?? 6));
  const { summary, settings } = report;
  const m = report.meta;
  const predictionLine = summary.predictionDrifted === null ? 'not assessed' : summary.predictionDrifted ? 'drifted' : 'stable';
  const body = [
    '<header>',
    `<h1>${escapeHtml(m.title)}</h1>`,
    `<p class="meta">model <b>${escapeHtml(m.model)}</b> · version <b>${escapeHtml(m.version)}</b> · created ${escapeHtml(m.createdAt)} · reference ${m.referenceRows} rows · current ${m.currentRows} rows</p>`,
    ...(m.data ? [`<p class="meta">current data: ${escapeHtml(m.data)}</p>`] : []),
    '</header>',
    `<section class="summary ${summary.drifted ? 'drifted' : 'stable'}">`,
    `<div class="verdict">${summary.drifted ? 'Drift detected' : 'No drift'}</div>`,
    `<div>${summary.driftedFeatures} of ${summary.totalFeatures} features drifted (${formatShare(summary.driftShare)}; threshold ${formatShare(settings.driftShareThreshold)}) · prediction scores: ${predictionLine}</div>`,
    `<ul class="reasons">${summary.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join('')}</ul>`,
    '</section>',
    '<h2>Features</h2>',
    featureTable(report.features),
    chartsSection(report.features, maxCharts),
    predictionSection(report.prediction),
    `<footer>Thresholds: PSI ≥ ${settings.psiThreshold}, KS p &lt; ${settings.ksAlpha}, JS distance ≥ ${settings.categoricalThreshold}, chi-square p &lt; ${settings.chiSquareAlpha}, missing-share rise ≥ ${formatShare(settings.missingShareThreshold)}, drifted share ≥ ${formatShare(settings.driftShareThreshold)}; significance ${settings.requireSignificance ? 'required' : 'not required'}.</footer>`,
  ].join('\n');
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(m.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
