/**
 * The statistics of drift monitoring, pure math (no I/O, no clock, no randomness), exported for
 * reuse and tests: population stability index, two-sample Kolmogorov–Smirnov (asymptotic p-value;
 * exact p-value for small samples as a cross-check), chi-square test of homogeneity (p-value from
 * the regularised upper incomplete gamma function) and the Jensen–Shannon distance.
 */
import { z } from 'zod';

const shareSchema = z.number().min(0).max(1);

export const ksResultSchema = z.object({ statistic: shareSchema, pValue: shareSchema });
export type KsResult = z.infer<typeof ksResultSchema>;

export const chiSquareResultSchema = z.object({ statistic: z.number().min(0), dof: z.number().int().min(0), pValue: shareSchema });
export type ChiSquareResult = z.infer<typeof chiSquareResultSchema>;

export function sum(xs: readonly number[]): number {
  let total = 0;
  for (const x of xs) total += x;
  return total;
}

function clamp01(x: number): number {
  return Math.min(1, Math.max(0, x));
}

/**
 * Population stability index Σ (c − r)·ln(c / r) over bins, with shares floored at `epsilon` so that
 * empty bins stay finite. Every term is ≥ 0.
 */
export function populationStabilityIndex(reference: readonly number[], current: readonly number[], epsilon = 1e-4): number {
  if (reference.length !== current.length || reference.length === 0) {
    throw new RangeError(`PSI needs two share vectors of the same, non-zero length (got ${reference.length} and ${current.length})`);
  }
  let psi = 0;
  for (let i = 0; i < reference.length; i++) {
    const r = Math.max(reference[i] as number, epsilon);
    const c = Math.max(current[i] as number, epsilon);
    psi += (c - r) * Math.log(c / r);
  }
  return psi;
}

function normalise(weights: readonly number[], what: string): number[] {
  let total = 0;
  for (const w of weights) {
    if (!(w >= 0) || !Number.isFinite(w)) throw new RangeError(`${what}: weights must be finite and non-negative`);
    total += w;
  }
  if (!(total > 0)) throw new RangeError(`${what}: weights must not all be zero`);
  return weights.map((w) => w / total);
}

/**
 * Jensen–Shannon distance in base 2: the square root of the JS divergence, 0 for identical and 1 for
 * disjoint distributions. Inputs are shares or counts (normalised here).
 */
export function jensenShannonDistance(p: readonly number[], q: readonly number[]): number {
  if (p.length !== q.length || p.length === 0) {
    throw new RangeError(`Jensen–Shannon needs two vectors of the same, non-zero length (got ${p.length} and ${q.length})`);
  }
  const pn = normalise(p, 'Jensen–Shannon');
  const qn = normalise(q, 'Jensen–Shannon');
  let divergence = 0;
  for (let i = 0; i < pn.length; i++) {
    const a = pn[i] as number;
    const b = qn[i] as number;
    const m = (a + b) / 2;
    if (a > 0) divergence += 0.5 * a * Math.log2(a / m);
    if (b > 0) divergence += 0.5 * b * Math.log2(b / m);
  }
  return Math.sqrt(clamp01(divergence));
}

/** The two-sample KS statistic D = sup |F(x) − G(x)| of two sorted samples (ties handled). */
function ksStatisticSorted(a: readonly number[], b: readonly number[]): number {
  const n = a.length;
  const m = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const x = Math.min(a[i] as number, b[j] as number);
    while (i < n && (a[i] as number) <= x) i++;
    while (j < m && (b[j] as number) <= x) j++;
    const gap = Math.abs(i / n - j / m);
    if (gap > d) d = gap;
  }
  // once one sample is used up the ECDFs only come closer
  return d;
}

/**
 * Survival function of the Kolmogorov distribution, Q(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2 j² λ²}.
 * For small λ that alternating series converges slowly, so there we use the equivalent
 * theta-function form P(λ) = (√(2π) / λ) Σ_{j≥1} e^{−(2j−1)² π² / (8 λ²)} and return 1 − P.
 */
export function kolmogorovSurvival(lambda: number): number {
  if (Number.isNaN(lambda)) throw new RangeError('kolmogorovSurvival: lambda is NaN');
  if (lambda <= 0) return 1;
  if (lambda < 1.18) {
    const y = -(Math.PI * Math.PI) / (8 * lambda * lambda);
    let series = 0;
    for (let j = 1; j <= 100; j++) {
      const k = 2 * j - 1;
      const term = Math.exp(k * k * y);
      series += term;
      if (term <= 1e-17 * series) break;
    }
    return clamp01(1 - (Math.sqrt(2 * Math.PI) / lambda) * series);
  }
  let q = 0;
  let sign = 1;
  for (let j = 1; j <= 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    q += sign * term;
    if (term <= 1e-17 * Math.abs(q)) break;
    sign = -sign;
  }
  return clamp01(2 * q);
}

/**
 * Asymptotic p-value of the two-sample KS statistic `d` for sample sizes n and m: Q_KS(λ) with the
 * effective size nₑ = n·m/(n+m) and the small-sample correction λ = (√nₑ + 0.12 + 0.11/√nₑ)·d.
 * For very small samples it is below the exact value (D = 0.5, n = m = 10: 0.111 vs exact 0.168).
 */
export function ksAsymptoticPValue(d: number, n: number, m: number): number {
  if (!(n > 0 && m > 0)) throw new RangeError('ksAsymptoticPValue: sample sizes must be positive');
  if (!(d >= 0 && d <= 1)) throw new RangeError(`ksAsymptoticPValue: statistic must be in [0, 1] (got ${d})`);
  const en = Math.sqrt((n * m) / (n + m));
  return kolmogorovSurvival((en + 0.12 + 0.11 / en) * d);
}

/**
 * Exact p-value P(D ≥ d) of the two-sided two-sample KS statistic under H0, for continuous data (no
 * ties): the share of the C(n+m, n) orderings whose lattice path leaves the band |i/n − j/m| < d.
 * Counts are kept divided by C(i+j, i) so they stay in [0, 1]. O(n·m); meant for small samples and as
 * a check of the asymptotic formula.
 */
export function ksExactPValue(d: number, n: number, m: number): number {
  if (!(Number.isInteger(n) && Number.isInteger(m) && n > 0 && m > 0)) {
    throw new RangeError('ksExactPValue: sample sizes must be positive integers');
  }
  if (n * m > 4_000_000) throw new RangeError('ksExactPValue: n·m is too large for the exact computation');
  if (!(d >= 0 && d <= 1)) throw new RangeError(`ksExactPValue: statistic must be in [0, 1] (got ${d})`);
  if (d === 0) return 1;
  // a point (i, j) is inside the band when |i·m − j·n| < d·n·m; the slack absorbs rounding of d
  const limit = d * n * m - 1e-7;
  const inside = (i: number, j: number) => Math.abs(i * m - j * n) < limit;
  const w = new Float64Array(m + 1);
  w[0] = 1;
  for (let j = 1; j <= m; j++) w[j] = inside(0, j) ? (w[j - 1] as number) : 0;
  for (let i = 1; i <= n; i++) {
    w[0] = inside(i, 0) ? (w[0] as number) : 0;
    for (let j = 1; j <= m; j++) {
      w[j] = inside(i, j) ? ((w[j] as number) * i + (w[j - 1] as number) * j) / (i + j) : 0;
    }
  }
  return clamp01(1 - (w[m] as number));
}

function finiteSorted(values: readonly number[]): number[] {
  return values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((x, y) => x - y);
}

/**
 * Two-sample Kolmogorov–Smirnov test: the statistic and its asymptotic p-value (see
 * `ksAsymptoticPValue`). Non-finite values are ignored; both samples need a finite value.
 */
export function ksTwoSample(a: readonly number[], b: readonly number[]): KsResult {
  const sa = finiteSorted(a);
  const sb = finiteSorted(b);
  if (sa.length === 0 || sb.length === 0) throw new RangeError('ksTwoSample needs two samples with at least one finite value each');
  return ksSorted(sa, sb);
}

export function ksSorted(a: readonly number[], b: readonly number[]): KsResult {
  const statistic = clamp01(ksStatisticSorted(a, b));
  return { statistic, pValue: ksAsymptoticPValue(statistic, a.length, b.length) };
}

// Lanczos approximation (g = 7, 9 coefficients), relative error about 1e-15 for x > 0.
const LANCZOS_G = 7;
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function logGamma(x: number): number {
  if (!(x > 0)) throw new RangeError(`logGamma: x must be positive (got ${x})`);
  if (x < 0.5) {
    // reflection: Γ(x) Γ(1 − x) = π / sin(πx)
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let a = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) a += (LANCZOS[i] as number) / (z + i);
  const t = z + LANCZOS_G + 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const GAMMA_EPS = 1e-15;
const GAMMA_MAX_ITER = 10_000;
const TINY = 1e-300;

/** P(a, x) by its power series; converges quickly for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let total = term;
  let ap = a;
  for (let n = 0; n < GAMMA_MAX_ITER; n++) {
    ap += 1;
    term *= x / ap;
    total += term;
    if (Math.abs(term) < Math.abs(total) * GAMMA_EPS) break;
  }
  return total * Math.exp(-x + a * Math.log(x) - logGamma(a));
}

/** Q(a, x) by its continued fraction (modified Lentz); converges quickly for x ≥ a + 1. */
function gammaQContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < GAMMA_MAX_ITER; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < GAMMA_EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - logGamma(a)) * h;
}

function checkGammaArgs(a: number, x: number): void {
  if (!(a > 0) || !Number.isFinite(a)) throw new RangeError(`incomplete gamma: a must be positive and finite (got ${a})`);
  if (Number.isNaN(x) || x < 0) throw new RangeError(`incomplete gamma: x must be ≥ 0 (got ${x})`);
}

/** Regularised lower incomplete gamma function P(a, x) = γ(a, x) / Γ(a). */
export function regularizedGammaP(a: number, x: number): number {
  checkGammaArgs(a, x);
  if (x === 0) return 0;
  if (x === Number.POSITIVE_INFINITY) return 1;
  return clamp01(x < a + 1 ? gammaPSeries(a, x) : 1 - gammaQContinuedFraction(a, x));
}

/** Regularised upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a) = 1 − P(a, x). */
export function regularizedGammaQ(a: number, x: number): number {
  checkGammaArgs(a, x);
  if (x === 0) return 1;
  if (x === Number.POSITIVE_INFINITY) return 0;
  return clamp01(x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQContinuedFraction(a, x));
}

/** P(X ≥ statistic) for X ~ χ²(dof). */
export function chiSquareSurvival(statistic: number, dof: number): number {
  if (!(dof > 0)) throw new RangeError(`chiSquareSurvival: dof must be positive (got ${dof})`);
  if (Number.isNaN(statistic)) throw new RangeError('chiSquareSurvival: statistic is NaN');
  if (statistic <= 0) return 1;
  return regularizedGammaQ(dof / 2, statistic / 2);
}

/**
 * Chi-square test of homogeneity of two count vectors over the same categories (a 2×k table).
 * Categories empty in both are left out; with fewer than two categories left (or an empty side)
 * there is nothing to test: statistic 0, dof 0, p = 1.
 */
export function chiSquareHomogeneity(reference: readonly number[], current: readonly number[]): ChiSquareResult {
  if (reference.length !== current.length) {
    throw new RangeError(`chi-square needs two count vectors of the same length (got ${reference.length} and ${current.length})`);
  }
  for (const c of [...reference, ...current]) {
    if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError('chi-square: counts must be finite and non-negative');
  }
  const totalA = sum(reference);
  const totalB = sum(current);
  const total = totalA + totalB;
  if (totalA === 0 || totalB === 0) return { statistic: 0, dof: 0, pValue: 1 };
  let statistic = 0;
  let columns = 0;
  for (let i = 0; i < reference.length; i++) {
    const a = reference[i] as number;
    const b = current[i] as number;
    const column = a + b;
    if (column === 0) continue;
    columns++;
    const expectedA = (totalA * column) / total;
    const expectedB = (totalB * column) / total;
    statistic += (a - expectedA) ** 2 / expectedA + (b - expectedB) ** 2 / expectedB;
  }
  const dof = columns - 1;
  if (dof < 1) return { statistic: 0, dof: 0, pValue: 1 };
  return { statistic, dof, pValue: chiSquareSurvival(statistic, dof) };
}
