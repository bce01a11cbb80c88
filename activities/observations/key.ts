/**
 * The store's redaction key: 32 random bytes in <store>/redaction.key (mode 0600), made by the
 * first process that needs it. It is written to a temporary file and hard-linked into place, so
 * two processes starting at once agree on one key (the second link fails and it reads the first).
 * Losing the key only means that tokens made after it differ from tokens made before.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const KEY_FILE = 'redaction.key';
const cache = new Map<string, Uint8Array>();

function readKey(file: string): Uint8Array | undefined {
  try {
    const hex = readFileSync(file, 'utf8').trim();
    if (!/^[0-9a-f]{64}$/.test(hex)) throw new Error(`${file}: expected 64 hex digits (the observation store's redaction key)`);
    return Buffer.from(hex, 'hex');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export function redactionKey(storeDir: string): Uint8Array {
  const cached = cache.get(storeDir);
  if (cached) return cached;
  const file = join(storeDir, KEY_FILE);
  let key = readKey(file);
  if (!key) {
    // the store holds what clusters run (redacted, but still internal): only its owner reads it
    mkdirSync(storeDir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temp, `${randomBytes(32).toString('hex')}\n`, { mode: 0o600 });
    try {
      linkSync(temp, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      rmSync(temp, { force: true });
    }
    key = readKey(file) as Uint8Array;
  }
  cache.set(storeDir, key);
  return key;
}
