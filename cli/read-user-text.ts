import { readFileSync } from 'node:fs';
import { ManifestInputError } from '../lib/manifest-stream';
import { decodeTextInput, readTextInput } from '../lib/read-input';
import { CliUsageError } from './common';

/**
 * The text of a user's input file, or of standard input for "-", read the one safe way
 * (lib/read-input: the size limit before reading, UTF-8 only, no binary): every problem is a
 * usage error naming the file (exit code 2).
 */
export function readUserText(path: string): string {
  try {
    return path === '-' ? decodeTextInput(readFileSync(0), '-') : readTextInput(path);
  } catch (error) {
    if (error instanceof ManifestInputError) throw new CliUsageError(error.message);
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliUsageError(
      `${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a file' : (error as Error).message}`,
    );
  }
}
