#!/usr/bin/env node
// `pac`: runs the bundle in dist/ that infra/build.mjs makes from cli/main.ts (no TypeScript is
// compiled at run time). Every run checks the bundle against its sources (sizes and mtimes, hashes
// only of changed files) and rebuilds it when a source changed, so a stale build never runs.
import { pathToFileURL } from 'node:url';
import { ensureBuild } from '../infra/build.mjs';

let entry;
try {
  entry = await ensureBuild();
} catch (error) {
  process.stderr.write(
    `pac: the build in dist/ is missing or out of date and could not be rebuilt: ${error instanceof Error ? error.message : String(error)}\n` +
      '  fix: npm install && npm run build\n',
  );
  process.exit(1);
}
await import(pathToFileURL(entry).href);
