/**
 * Secret-looking data in plain sight: environment variables with a secret-looking name and a
 * literal value, ConfigMap keys that name credentials, and PEM private keys in values.
 */
import { type Obj, present } from './read-json';

const SECRET_ENV_NAME = /password|passwd|secret|token|api[_-]?key|private[_-]?key|credential/i;
const LOCATION_ENV_NAME = /[_.-](path|file|dir|url|uri|endpoint|name|ref)s?$/i;
const ONLY_REFERENCES = /^(\$\([A-Za-z_][A-Za-z0-9_.-]*\))+$/;
const URL_WITH_USER_INFO = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#\s]*@/;

/** An env entry whose name looks secret and whose value is a literal (not a location, not only $(references)). */
export function envSecretLiteral(variable: Obj): boolean {
  const name = variable.name;
  if (typeof name !== 'string' || !SECRET_ENV_NAME.test(name)) return false;
  const value = variable.value;
  if (LOCATION_ENV_NAME.test(name) && !(typeof value === 'string' && URL_WITH_USER_INFO.test(value))) return false;
  if (!present(value) || value === '') return false;
  return !(typeof value === 'string' && ONLY_REFERENCES.test(value));
}

const CREDENTIAL_WORDS =
  /(^|_)(password|passwd|passphrase|pwd|secret|token|api_?key|private_?key|access_?key|auth_?key|credentials?|client_secret)(_|$)/;
const REFERENCE_SUFFIXES =
  /_(file|path|dir|mount|name|ref|key_ref|id|ttl|lifetime|expiry|expiration|timeout|length|min_length|max_length|policy|header|url|uri|endpoint|enabled|type|format|rotation|rotation_days|env|var)$/;
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;

/** A key naming a credential (not a reference to one: `*_file`, `*_path`, `*_ttl`, …), in any case style. */
export function credentialKey(key: string): boolean {
  const normalized = key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  return CREDENTIAL_WORDS.test(normalized) && !REFERENCE_SUFFIXES.test(normalized);
}

function decodeBase64(value: unknown): string {
  if (typeof value !== 'string') return '';
  try {
    return Buffer.from(value, 'base64').toString('latin1');
  } catch {
    return '';
  }
}

/** A PEM private key in a text value. */
export const holdsPrivateKey = (value: unknown): boolean => typeof value === 'string' && PEM_PRIVATE_KEY.test(value);

/** A PEM private key in a base64 value (binaryData). */
export const holdsPrivateKeyBase64 = (value: unknown): boolean => PEM_PRIVATE_KEY.test(decodeBase64(value));
