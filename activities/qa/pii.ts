/**
 * PII and secret masking for questions, answers and logs. Each finding is replaced by a typed
 * placeholder such as [EMAIL] or [CREDIT_CARD]; credit-card numbers are masked only when they
 * pass the Luhn check, US social security numbers only when they are valid SSN ranges.
 *
 * `maskPii` is the one masking function; `maskPiiDeep` applies it to every string of a record. The
 * Q&A answer (answer, citations, excerpts, titles), the API's log lines (api/log.ts) and the
 * rag-eval MLflow artifact (`maskedJsonArtifact`) all go through it.
 */
import { mapStrings } from '../../lib/redact';

export type PiiType =
  | 'private_key'
  | 'aws_access_key'
  | 'aws_secret_key'
  | 'gcp_api_key'
  | 'github_token'
  | 'slack_token'
  | 'jwt'
  | 'email'
  | 'credit_card'
  | 'us_ssn'
  | 'iban'
  | 'phone'
  | 'ipv4';

export interface PiiFinding {
  type: PiiType;
  /** offset in the original text */
  index: number;
  length: number;
}

/** Luhn checksum over the digits of a string (spaces and dashes ignored). */
export function luhnValid(candidate: string): boolean {
  const digits = candidate.replace(/[\s-]/g, '');
  if (!/^\d{12,19}$/.test(digits)) return false;
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/** US SSN ranges that are ever issued: area not 000, 666 or 9xx; group not 00; serial not 0000. */
export function ssnValid(candidate: string): boolean {
  const m = /^(\d{3})-?(\d{2})-?(\d{4})$/.exec(candidate);
  if (!m) return false;
  const [area, group, serial] = [m[1] as string, m[2] as string, m[3] as string];
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

/** ISO 13616 mod-97 check. */
function ibanValid(candidate: string): boolean {
  const s = candidate.replace(/\s/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]{11,30}$/.test(s)) return false;
  const rearranged = s.slice(4) + s.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + Number(digit)) % 97;
  }
  return remainder === 1;
}

interface Detector {
  type: PiiType;
  pattern: RegExp;
  valid?: (match: string) => boolean;
}

/** In priority order: an earlier detector's finding wins where two overlap. */
const DETECTORS: Detector[] = [
  { type: 'private_key', pattern: /-----BEGIN (?:[A-Z ]+ )?PRIVATE KEY-----[\s\S]*?-----END (?:[A-Z ]+ )?PRIVATE KEY-----/g },
  { type: 'aws_access_key', pattern: /\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|AIPA)[A-Z0-9]{16}\b/g },
  {
    type: 'aws_secret_key',
    pattern: /(?<=\b(?:aws_?secret_?access_?key|secret_?access_?key|aws_?secret)\b["']?\s*[:=]\s*["']?)[A-Za-z0-9/+=]{40}\b/gi,
  },
  { type: 'gcp_api_key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { type: 'github_token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g },
  { type: 'slack_token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}\b/g },
  { type: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\b/g },
  { type: 'email', pattern: /\b[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}\b/g },
  { type: 'iban', pattern: /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g, valid: ibanValid },
  { type: 'credit_card', pattern: /\b\d(?:[ -]?\d){11,18}\b/g, valid: luhnValid },
  { type: 'us_ssn', pattern: /\b\d{3}-\d{2}-\d{4}\b/g, valid: ssnValid },
  {
    type: 'phone',
    // not part of a longer run of digit groups (a card number that failed Luhn stays as it is)
    pattern: /(?<![\w.]|\d[ .-])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,4}\)[ .-]?|\d{2,4}[ .-])\d{3,4}[ .-]\d{3,4}(?![\w.]|[ .-]\d)/g,
    valid: (m) => {
      const digits = m.replace(/\D/g, '');
      return digits.length >= 10 && digits.length <= 15;
    },
  },
  {
    type: 'ipv4',
    pattern: /\b(?:\d{1,3}\.){3}\d{1,3}\b/g,
    // loopback and documentation examples are not personal data
    valid: (m) => m.split('.').every((o) => Number(o) <= 255) && !m.startsWith('127.') && !m.startsWith('0.'),
  },
];

export const PII_PLACEHOLDER: Record<PiiType, string> = {
  private_key: '[PRIVATE_KEY]',
  aws_access_key: '[AWS_ACCESS_KEY]',
  aws_secret_key: '[AWS_SECRET_KEY]',
  gcp_api_key: '[GCP_API_KEY]',
  github_token: '[GITHUB_TOKEN]',
  slack_token: '[SLACK_TOKEN]',
  jwt: '[JWT]',
  email: '[EMAIL]',
  credit_card: '[CREDIT_CARD]',
  us_ssn: '[US_SSN]',
  iban: '[IBAN]',
  phone: '[PHONE]',
  ipv4: '[IP_ADDRESS]',
};

export function findPii(text: string): PiiFinding[] {
  const taken: PiiFinding[] = [];
  const overlaps = (index: number, length: number) => taken.some((f) => index < f.index + f.length && f.index < index + length);
  for (const detector of DETECTORS) {
    for (const match of text.matchAll(detector.pattern)) {
      const value = match[0];
      const index = match.index ?? 0;
      if (detector.valid && !detector.valid(value)) continue;
      if (overlaps(index, value.length)) continue;
      taken.push({ type: detector.type, index, length: value.length });
    }
  }
  return taken.sort((a, b) => a.index - b.index);
}

/** The text with every finding replaced by its placeholder, and the counts per type. */
export function maskPii(text: string): { text: string; findings: Partial<Record<PiiType, number>> } {
  const findings = findPii(text);
  const counts: Partial<Record<PiiType, number>> = {};
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.index) + PII_PLACEHOLDER[f.type];
    at = f.index + f.length;
    counts[f.type] = (counts[f.type] ?? 0) + 1;
  }
  return { text: out + text.slice(at), findings: counts };
}

/** Adds `more` counts into `into`. */
export function addFindings(into: Partial<Record<PiiType, number>>, more: Partial<Record<PiiType, number>>): void {
  for (const [type, n] of Object.entries(more) as [PiiType, number][]) into[type] = (into[type] ?? 0) + n;
}

/**
 * maskPii applied to every string inside a value (keys kept): how answers, citations, log records
 * and evaluation artifacts are masked, the same way everywhere.
 */
export function maskPiiDeep<T>(value: T): { value: T; findings: Partial<Record<PiiType, number>> } {
  const findings: Partial<Record<PiiType, number>> = {};
  const masked = mapStrings(value, (text) => {
    const m = maskPii(text);
    addFindings(findings, m.findings);
    return m.text;
  }) as T;
  return { value: masked, findings };
}

/** A JSON artifact (an evaluation report for MLflow) with every string masked. */
export function maskedJsonArtifact(value: unknown): string {
  return JSON.stringify(maskPiiDeep(value).value, null, 2);
}
