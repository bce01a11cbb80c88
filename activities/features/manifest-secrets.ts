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

const CREDENTIAL_ENDINGS = [
  'password',
  'passwd',
  'passphrase',
  'secret',
  'token',
  'credential',
  'credentials',
  'apikey',
  'privatekey',
  'accesskey',
  'authkey',
];
const KEY_PREFIX_WORDS = new Set(['api', 'private', 'access', 'auth']);
const REFERENCE_WORDS = new Set(
  'file path dir mount name ref id ttl lifetime expiry expiration timeout length policy header url uri endpoint enabled type format rotation env var'.split(
    ' ',
  ),
);
const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----/;

/** Whether one reading of a key (its words) names a credential: as configmap-no-credentials reads it. */
function credentialWords(words: string[]): boolean {
  const last = words.at(-1) ?? '';
  if (REFERENCE_WORDS.has(last) || words.slice(-2).join('_') === 'rotation_days') return false;
  return words.some(
    (word, i) =>
      CREDENTIAL_ENDINGS.some((ending) => word.endsWith(ending)) ||
      (word === 'key' && i > 0 && KEY_PREFIX_WORDS.has(words[i - 1] as string)) ||
      (word === 'pwd' && words.length > 1) ||
      (word.endsWith('pwd') && word !== 'pwd' && word !== 'oldpwd'),
  );
}

/**
 * A key naming a credential (not a reference to one: `*_file`, `*_path`, `*_ttl`, …), read twice like
 * the policy does: split at "_", "-", "." and lower-cased ("dbpassword"), and split at capitals too
 * ("apiSecretKey" → api, secret, key). "PWD" alone is the working directory, not a password.
 */
export function credentialKey(key: string): boolean {
  const separated = key.replace(/[-.]/g, '_');
  const words = separated.toLowerCase().split('_').filter(Boolean);
  const camel = separated
    .replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)
    .split('_')
    .filter(Boolean);
  return credentialWords(words) || credentialWords(camel);
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
