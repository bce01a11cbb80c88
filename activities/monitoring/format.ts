/**
 * Compact, locale-independent text of numbers, p-values, shares and bins, for the reasons of a
 * drift result and for the report.
 */

/** Compact, locale-independent number text for labels and reasons. */
export function formatNumber(x: number): string {
  if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
  const abs = Math.abs(x);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return x.toExponential(2).replace(/\.?0+e/, 'e');
  return String(Number(x.toPrecision(4)));
}

export function formatPValue(p: number): string {
  if (p === 0) return '0';
  if (p < 1e-3) return p.toExponential(1);
  return p.toFixed(3);
}

export function formatShare(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

/** Labels of the right-closed bins defined by interior cuts. */
export function binLabels(cuts: readonly number[]): string[] {
  if (cuts.length === 0) return ['(-∞, +∞)'];
  const labels = [`(-∞, ${formatNumber(cuts[0] as number)}]`];
  for (let i = 1; i < cuts.length; i++) labels.push(`(${formatNumber(cuts[i - 1] as number)}, ${formatNumber(cuts[i] as number)}]`);
  labels.push(`(${formatNumber(cuts[cuts.length - 1] as number)}, +∞)`);
  return labels;
}
