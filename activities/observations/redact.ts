/**
 * What an observation keeps of a manifest, as pure functions:
 *
 * - normaliseManifest: drops server-side noise that changes on every read of the same object
 *   (status, managedFields, resourceVersion, uid, generation, selfLink, the last-applied annotation,
 *   owner-reference uids) and lifts metadata.creationTimestamp out as a separate field. What
 *   admission policies and the features read (spec, labels, annotations, owner kinds) stays.
 * - redactManifest: secret material replaced by a keyed digest token `redacted:<type>:<32 hex>`,
 *   so equal values stay equal without the value: Secret data/stringData, ConfigMap
 *   data/binaryData, every `env[].value` (any container list, any kind), and every span of any
 *   other string that the PII masks (activities/qa/pii.ts) catch. Empty values and values made
 *   only of $(VAR) references carry no secret and are kept, so policies about them still see them.
 * - canonicalJson / skeletonOf: the digests — the manifest digest (dedup) and the skeleton digest
 *   that ignores names, namespaces, labels, annotations, selectors and redacted values (grouping of
 *   near-identical manifests for the split).
 *
 * The token is an HMAC-SHA256 with a per-store key (key.ts), not a bare sha256: a password from a
 * dictionary cannot be recovered by hashing candidates.
 */
import { createHmac } from 'node:crypto';
import { sha256 } from '../../lib/digest';
import { isObject, type JsonObject } from '../../lib/json';
import { findPii } from '../qa/pii';

export const REDACTED_TOKEN = /^redacted:[a-z0-9_]+:[0-9a-f]{32}$/;
const REDACTED_SPAN = /redacted:[a-z0-9_]+:[0-9a-f]{32}/g;
const ONLY_REFERENCES = /^(\$\([A-Za-z_][A-Za-z0-9_.-]*\))+$/;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY/;
const URL_WITH_USER_INFO = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\s]*@/;

const NOISY_METADATA = ['managedFields', 'resourceVersion', 'uid', 'generation', 'selfLink', 'creationTimestamp', 'deletionTimestamp'];
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** The redaction token of a value: equal values (under one key) give equal tokens. */
export function redactionToken(key: Uint8Array, value: string, type = 'value'): string {
  return `redacted:${type}:${createHmac('sha256', key).update(value).digest('hex').slice(0, 32)}`;
}

function cleanMetadata(metadata: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (NOISY_METADATA.includes(k)) continue;
    if (k === 'annotations' && isObject(v)) {
      const { [LAST_APPLIED]: _lastApplied, ...rest } = v;
      if (Object.keys(rest).length > 0) out[k] = rest;
      continue;
    }
    if (k === 'ownerReferences' && Array.isArray(v)) {
      out[k] = v.map((ref) => (isObject(ref) ? Object.fromEntries(Object.entries(ref).filter(([rk]) => rk !== 'uid')) : ref));
      continue;
    }
    out[k] = v;
  }
  return out;
}

function normaliseValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseValue);
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value))
    out[k] = k === 'metadata' && isObject(v) ? cleanMetadata(normaliseValue(v) as JsonObject) : normaliseValue(v);
  return out;
}

export interface NormalisedManifest {
  manifest: JsonObject;
  createdAt: string | null;
}

/** A copy without server-side noise, and the object's creationTimestamp (null when absent). */
export function normaliseManifest(manifest: JsonObject): NormalisedManifest {
  const metadata = isObject(manifest.metadata) ? manifest.metadata : {};
  const created = metadata.creationTimestamp;
  const { status: _status, ...rest } = manifest;
  return {
    manifest: normaliseValue(rest) as JsonObject,
    createdAt: typeof created === 'string' ? created : created instanceof Date ? created.toISOString() : null,
  };
}

/** The type a whole secret value is redacted as (what kind of secret, never what it is). */
function wholeValueType(value: string): string {
  if (PEM_PRIVATE_KEY.test(value)) return 'private_key';
  if (URL_WITH_USER_INFO.test(value)) return 'url_userinfo';
  return 'value';
}

interface Redactor {
  key: Uint8Array;
  count: number;
}

function redactWhole(r: Redactor, value: unknown): unknown {
  if (typeof value !== 'string') {
    if (value === null || value === undefined || typeof value === 'boolean') return value;
    r.count++;
    return redactionToken(r.key, JSON.stringify(value));
  }
  if (value === '' || ONLY_REFERENCES.test(value) || REDACTED_TOKEN.test(value)) return value;
  r.count++;
  return redactionToken(r.key, value, wholeValueType(value));
}

/**
 * A cheap test that a string may hold something findPii catches (every detector needs one of
 * these); most strings of a manifest (names, images, quantities) fail it and skip the detectors.
 * test/unit/observations-redact.test.ts keeps it in step with the detectors of qa/pii.ts.
 */
export const PII_HINT = new RegExp(
  [
    '@', // email
    '-----BEGIN', // private key
    'AKIA|ASIA|AGPA|AIDA|AROA|ANPA|AIPA|secret', // AWS access key; the secret key needs its "secret…" keyword
    'AIza|gh[pousr]_|github_pat_|xox[abprs]-|eyJ', // GCP, GitHub, Slack, JWT
    '[A-Z]{2}\\d{2}', // IBAN
    '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d', // IPv4
    '(?:\\d[^\\d\\n]{0,3}){8}\\d', // nine or more digits a few separators apart: SSN, phone, card
  ].join('|'),
  'i',
);

function redactSpans(r: Redactor, text: string): string {
  if (text.length < 6 || !PII_HINT.test(text)) return text;
  const findings = findPii(text);
  if (findings.length === 0) return text;
  let out = '';
  let at = 0;
  for (const f of findings) {
    out += text.slice(at, f.index) + redactionToken(r.key, text.slice(f.index, f.index + f.length), f.type);
    at = f.index + f.length;
    r.count++;
  }
  return out + text.slice(at);
}

function redactEnv(r: Redactor, env: unknown[]): unknown[] {
  return env.map((entry) => {
    if (!isObject(entry)) return redactValue(r, entry);
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(entry)) out[k] = k === 'value' ? redactWhole(r, v) : redactValue(r, v);
    return out;
  });
}

function redactValue(r: Redactor, value: unknown): unknown {
  if (typeof value === 'string') return redactSpans(r, value);
  if (Array.isArray(value)) return value.map((v) => redactValue(r, v));
  if (!isObject(value)) return value;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(value)) out[k] = k === 'env' && Array.isArray(v) ? redactEnv(r, v) : redactValue(r, v);
  return out;
}

/** Fields whose every value is secret material, by kind. */
const SECRET_FIELDS: Record<string, string[]> = { Secret: ['data', 'stringData'], ConfigMap: ['data', 'binaryData'] };

/** The manifest with secret material replaced by tokens, and how many values were replaced. */
export function redactManifest(manifest: JsonObject, key: Uint8Array): { manifest: JsonObject; redactions: number } {
  const r: Redactor = { key, count: 0 };
  const secretFields = SECRET_FIELDS[String(manifest.kind)] ?? [];
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(manifest)) {
    out[k] =
      secretFields.includes(k) && isObject(v)
        ? Object.fromEntries(Object.entries(v).map(([dk, dv]) => [dk, redactWhole(r, dv)]))
        : redactValue(r, v);
  }
  return { manifest: out, redactions: r.count };
}

interface CanonicalOptions {
  /** keep key `key` of an object held under `holder` (the key of the object, or of its array)? */
  keep?: (key: string, holder: string | undefined) => boolean;
  text?: (value: string) => string;
}

function canonical(value: unknown, options: CanonicalOptions, holder: string | undefined): string {
  if (typeof value === 'string' && options.text) return JSON.stringify(options.text(value));
  if (typeof value !== 'object' || value === null) return value === undefined ? 'null' : JSON.stringify(value);
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonical(value[i], options, holder);
    return `${out}]`;
  }
  const object = value as JsonObject;
  let out = '{';
  let first = true;
  for (const k of Object.keys(object).sort()) {
    const v = object[k];
    if (v === undefined || (options.keep && !options.keep(k, holder))) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonical(v, options, k)}`;
    first = false;
  }
  return `${out}}`;
}

/** JSON with object keys sorted at every level: the same content always gives the same text. */
export const canonicalJson = (value: unknown): string => canonical(value, {}, undefined);

/** Keys a skeleton drops wherever they are: identity and labels, not shape. */
const SKELETON_DROPPED = new Set(['metadata', 'selector', 'matchLabels', 'name', 'serviceName', 'secretName', 'claimName']);

/**
 * The manifest's shape as canonical JSON: without metadata (names, namespaces, labels,
 * annotations) at every level, selectors, object names and redacted values. Two copies of a
 * workload that differ only in those have the same skeleton. An env variable's name says what it
 * holds: it stays.
 */
const SKELETON: CanonicalOptions = {
  keep: (key, holder) => !SKELETON_DROPPED.has(key) || (key === 'name' && (holder === 'env' || holder === 'envFrom')),
  text: (value) => (value.includes('redacted:') ? value.replace(REDACTED_SPAN, 'redacted') : value),
};
const skeletonJson = (manifest: JsonObject): string => canonical(manifest, SKELETON, undefined);

/** The skeleton as an object (what skeletonDigest hashes). */
export const skeletonOf = (manifest: JsonObject): JsonObject => JSON.parse(skeletonJson(manifest)) as JsonObject;

export const manifestDigest = (manifest: JsonObject): string => sha256(canonicalJson(manifest));
export const skeletonDigest = (manifest: JsonObject): string => sha256(skeletonJson(manifest));
