/**
 * The build of `pac` (infra/build.mjs) on a small project of its own in a temporary folder: the
 * bundle runs, import.meta.url still points into the source tree, an unchanged tree is not
 * rebuilt (not even after a touch), a changed source is, and a broken source stops with the file.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = join(import.meta.dirname, '..', '..');
let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pac-build-'));
  mkdirSync(join(root, 'infra'));
  mkdirSync(join(root, 'cli'));
  mkdirSync(join(root, 'lib'));
  cpSync(join(REPO, 'infra', 'build.mjs'), join(root, 'infra', 'build.mjs'));
  symlinkSync(join(REPO, 'node_modules'), join(root, 'node_modules'));
  writeFileSync(join(root, 'data.txt'), 'from the source tree\n');
  writeFileSync(join(root, 'lib', 'greet.ts'), "export const greet = (who: string): string => 'hello ' + who;\n");
  writeFileSync(
    join(root, 'cli', 'main.ts'),
    [
      "import { readFileSync } from 'node:fs';",
      "import { greet } from '../lib/greet';",
      "const data = readFileSync(new URL('../data.txt', import.meta.url), 'utf8').trim();",
      "const lazy = await import('../lib/greet');",
      "process.stdout.write([greet('v1'), data, lazy.greet('lazy')].join(' | ') + '\\n');",
      '',
    ].join('\n'),
  );
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

async function buildModule() {
  // a fresh module instance each time: ROOT is the temporary project
  return import(`${pathToFileURL(join(root, 'infra', 'build.mjs')).href}?t=${Date.now()}${Math.random()}`);
}

const run = (entry: string) => spawnSync(process.execPath, [entry], { encoding: 'utf8' });

describe('infra/build.mjs', () => {
  it('builds a bundle that runs without TypeScript and resolves import.meta.url to the sources', async () => {
    const { ensureBuild, staleInputs } = await buildModule();
    const entry: string = await ensureBuild({ quiet: true });
    expect(entry.startsWith(join(root, 'dist'))).toBe(true);
    expect(readFileSync(entry, 'utf8')).not.toContain(': string');
    const out = run(entry);
    expect(out.stderr).toBe('');
    expect(out.stdout).toBe('hello v1 | from the source tree | hello lazy\n');
    expect(staleInputs()).toEqual([]);
    const stamp = JSON.parse(readFileSync(join(root, 'dist', 'current.json'), 'utf8'));
    expect(Object.keys(stamp.inputs).sort()).toEqual(['cli/main.ts', 'infra/build.mjs', 'lib/greet.ts']);
  });

  it('an unchanged tree is not rebuilt, even when a file was touched', async () => {
    const { ensureBuild, staleInputs } = await buildModule();
    const before = await ensureBuild({ quiet: true });
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, 'lib', 'greet.ts'), later, later);
    expect(staleInputs()).toEqual([]);
    expect(await ensureBuild({ quiet: true })).toBe(before);
  });

  it('a changed source is detected and rebuilt; the old build is not what runs', async () => {
    const { ensureBuild, staleInputs } = await buildModule();
    const before = await ensureBuild({ quiet: true });
    writeFileSync(join(root, 'lib', 'greet.ts'), "export const greet = (who: string): string => 'hi ' + who;\n");
    expect(staleInputs()).toEqual(['lib/greet.ts']);
    const after: string = await ensureBuild({ quiet: true });
    expect(after).not.toBe(before);
    expect(run(after).stdout).toBe('hi v1 | from the source tree | hi lazy\n');
    expect(existsSync(before)).toBe(true); // kept for a while: a running pac may still load its chunks
  });

  it('a broken source stops the build with file and line, and the stamp still names the last good build', async () => {
    const { ensureBuild } = await buildModule();
    const good: string = await ensureBuild({ quiet: true });
    writeFileSync(join(root, 'lib', 'greet.ts'), 'export const greet = (who: string): string => {\n');
    await expect(ensureBuild({ quiet: true })).rejects.toThrow(/the build failed:\nlib\/greet\.ts:\d+: /);
    const stamp = JSON.parse(readFileSync(join(root, 'dist', 'current.json'), 'utf8'));
    expect(join(root, 'dist', stamp.id, stamp.main)).toBe(good);
    writeFileSync(join(root, 'lib', 'greet.ts'), "export const greet = (who: string): string => 'hi ' + who;\n");
  });
});
