#!/usr/bin/env node
// The build of the `pac` command: esbuild bundles cli/main.ts (and everything it imports from the
// project) into dist/<id>/, one chunk per dynamically imported command, so that `pac` never
// compiles TypeScript at run time. npm packages stay external (loaded from node_modules).
//
// Freshness: dist/current.json records every input of the build with its size, mtime and sha256.
// `ensureBuild()` (bin/pac.js on every run, infra/bootstrap.mjs) stats the inputs — a few ms — and
// hashes only the files whose size or mtime changed; when a content differs it rebuilds. Builds are
// content-addressed directories written under a temporary name and renamed into place, and
// current.json is replaced atomically, so concurrent runs never see a half-written build.
//
// `import.meta.url` in a bundled source file is rewritten to the URL of that source file
// (relative to the bundle), so paths such as new URL('../workflows/index.ts', import.meta.url)
// still point into the source tree (the Temporal worker bundles workflows from source; datasets,
// prompts and thread entries are read from the tree).
//
// npm packages are loaded from node_modules at run time, except the small pure-JavaScript parsers
// every analysis loads (BUNDLED_PACKAGES): loading one bundled chunk is several times faster than
// resolving and linking their dozens of files one by one.
//
// Usage: node infra/build.mjs [--force] [--quiet]
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DIST = join(ROOT, 'dist');
const STAMP = join(DIST, 'current.json');
/** entry points of the bundle, relative to the root; the first is what bin/pac.js runs */
const ENTRIES = ['cli/main.ts'];
/** bump when the build options change: a different recipe is a different build */
const RECIPE = 'pac-build-3';
/** npm packages bundled into dist (pure JavaScript; zod v4 shares its registry through globalThis and checks instances by traits, so schemas still work with fastify-type-provider-zod's own copy); the others stay external */
const BUNDLED_PACKAGES = new Set(['yaml', 'js-yaml', 'zod']);
/**
 * yaml's Node build is CommonJS and requires two built-ins, which an ES module bundle cannot
 * require: they are taken from the globals instead (the same objects).
 */
const CJS_BUILTINS = [
  ["require('process')", 'globalThis.process'],
  ["require('buffer')", '({ Buffer: globalThis.Buffer })'],
];
/** builds other than the current one are removed when they are older than this (a running pac may still load chunks) */
const KEEP_OLD_BUILDS_MS = 60 * 60 * 1000;

// node:crypto loads only when a file must be hashed: `pac --help` on a fresh build never needs it
const require = createRequire(import.meta.url);
const sha256 = (data) => require('node:crypto').createHash('sha256').update(data).digest('hex');

function readStamp() {
  try {
    const stamp = JSON.parse(readFileSync(STAMP, 'utf8'));
    if (stamp.recipe !== RECIPE || typeof stamp.id !== 'string' || typeof stamp.inputs !== 'object') return undefined;
    if (!existsSync(join(DIST, stamp.id, stamp.main))) return undefined;
    return stamp;
  } catch {
    return undefined;
  }
}

/**
 * The inputs of the current build whose content changed (or that are gone); [] when the build is
 * fresh. Files whose size and mtime are unchanged are not read.
 */
export function staleInputs(stamp = readStamp()) {
  if (!stamp) return ['(no build yet)'];
  const changed = [];
  for (const [file, recorded] of Object.entries(stamp.inputs)) {
    const path = join(ROOT, file);
    const stat = statSync(path, { throwIfNoEntry: false });
    if (!stat) {
      changed.push(file);
      continue;
    }
    if (stat.size === recorded.size && stat.mtimeMs === recorded.mtimeMs) continue;
    if (stat.size !== recorded.size || sha256(readFileSync(path)) !== recorded.sha256) changed.push(file);
  }
  return changed;
}

/** esbuild plugin: import.meta.url of a project source file → the URL of that file, relative to the output file. */
function sourceUrlPlugin(outdir) {
  return {
    name: 'pac-source-url',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.')) return { contents: source, loader: 'ts' };
        // every chunk is written directly into outdir, so one relative path serves every chunk
        const rel = relative(outdir, args.path).split(sep).join('/');
        const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
        if (/import\.meta\.(dirname|filename)/.test(source)) {
          return { errors: [{ text: 'use fileURLToPath(import.meta.url) instead of import.meta.dirname/filename in bundled code' }] };
        }
        return { contents: source.replaceAll('import.meta.url', url), loader: 'ts' };
      });
    },
  };
}

/** esbuild plugin: bare imports stay external (loaded from node_modules at run time) unless bundled on purpose. */
const packagesPlugin = {
  name: 'pac-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      const name = args.path.startsWith('@') ? args.path.split('/').slice(0, 2).join('/') : args.path.split('/')[0];
      return BUNDLED_PACKAGES.has(name) ? undefined : { path: args.path, external: true };
    });
    build.onLoad({ filter: /[\\/]node_modules[\\/]yaml[\\/]dist[\\/].*\.js$/ }, (args) => {
      let contents = readFileSync(args.path, 'utf8');
      for (const [from, to] of CJS_BUILTINS) contents = contents.replaceAll(from, to);
      if (/\brequire\('(?!\.)/.test(contents)) return { errors: [{ text: `${args.path}: a require of a package or built-in is left` }] };
      return { contents, loader: 'js' };
    });
  },
};

function pruneOldBuilds(current) {
  for (const name of readdirSync(DIST)) {
    if (name === current || name === 'current.json') continue;
    const path = join(DIST, name);
    try {
      if (Date.now() - statSync(path).mtimeMs > KEEP_OLD_BUILDS_MS) rmSync(path, { recursive: true, force: true });
    } catch {
      // another process removed it
    }
  }
}

/** Builds dist/<id>/ and makes it current. Returns the stamp. */
export async function build({ quiet = false } = {}) {
  const started = Date.now();
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    throw new Error('esbuild is not installed (a devDependency): run `npm install`, then `npm run build`');
  }
  mkdirSync(DIST, { recursive: true });
  const tmp = join(DIST, `.tmp-${process.pid}-${Date.now().toString(36)}`);
  try {
    const result = await esbuild.build({
      absWorkingDir: ROOT,
      entryPoints: ENTRIES.map((e) => join(ROOT, e)),
      outdir: tmp,
      outbase: ROOT,
      entryNames: '[name]',
      chunkNames: 'chunk-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'silent',
      plugins: [packagesPlugin, sourceUrlPlugin(tmp)],
    });
    const inputs = {};
    // the recipe is an input too: a change to this file rebuilds
    const recipe = relative(ROOT, fileURLToPath(import.meta.url))
      .split(sep)
      .join('/');
    for (const file of [...Object.keys(result.metafile.inputs), recipe].sort()) {
      const path = join(ROOT, file);
      const stat = statSync(path);
      inputs[file] = { size: stat.size, mtimeMs: stat.mtimeMs, sha256: sha256(readFileSync(path)) };
    }
    const id = sha256(JSON.stringify([RECIPE, Object.entries(inputs).map(([f, i]) => [f, i.sha256])])).slice(0, 16);
    const target = join(DIST, id);
    if (existsSync(target)) rmSync(tmp, { recursive: true, force: true });
    else {
      try {
        renameSync(tmp, target);
      } catch (error) {
        // another process made the same build at the same time
        if (!existsSync(target)) throw error;
        rmSync(tmp, { recursive: true, force: true });
      }
    }
    const stamp = { recipe: RECIPE, id, main: 'main.js', builtAt: new Date().toISOString(), inputs };
    const stampTmp = `${STAMP}.${process.pid}.tmp`;
    writeFileSync(stampTmp, `${JSON.stringify(stamp, null, 1)}\n`);
    renameSync(stampTmp, STAMP);
    pruneOldBuilds(id);
    if (!quiet) {
      process.stderr.write(
        `[build] dist/${id} (${Object.keys(inputs).length} sources) in ${((Date.now() - started) / 1000).toFixed(1)}s\n`,
      );
    }
    return stamp;
  } catch (error) {
    rmSync(tmp, { recursive: true, force: true });
    if (error?.errors?.length) {
      const lines = error.errors.map((e) => `${e.location ? `${e.location.file}:${e.location.line}: ` : ''}${e.text}`);
      throw new Error(`the build failed:\n${lines.join('\n')}`);
    }
    throw error;
  }
}

/**
 * The entry file of a fresh build: the current one when no input changed, else a new build (with a
 * note on stderr naming what changed). Never returns a stale build.
 */
export async function ensureBuild({ quiet = false, force = false } = {}) {
  const stamp = force ? undefined : readStamp();
  const changed = force ? ['(--force)'] : staleInputs(stamp);
  if (stamp && changed.length === 0) return join(DIST, stamp.id, stamp.main);
  if (!quiet && stamp) {
    const shown = changed.slice(0, 3).join(', ') + (changed.length > 3 ? ` and ${changed.length - 3} more` : '');
    process.stderr.write(`[build] sources changed since the last build (${shown}): rebuilding dist/ ...\n`);
  }
  const fresh = await build({ quiet });
  return join(DIST, fresh.id, fresh.main);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const force = process.argv.includes('--force');
  const quiet = process.argv.includes('--quiet');
  try {
    const entry = await ensureBuild({ force, quiet });
    if (!quiet) process.stderr.write(`[build] up to date: ${relative(ROOT, entry)}\n`);
  } catch (error) {
    process.stderr.write(`[build] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
