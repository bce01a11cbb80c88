/**
 * `pac ingest <file|dir|->`: bulk import of manifests as observations with source `import`.
 *
 * Inputs: a `kubectl get -A -o yaml` (or -o json) dump — a `kind: List` whose items each become an
 * observation —, `helm template` output, any multi-document YAML/JSON file, standard input ("-"),
 * or a directory such as a GitOps repository (every *.yaml, *.yml, *.json below it; hidden folders
 * and node_modules are skipped, and so is a Helm chart's source folder, whose templates are not
 * manifests until rendered).
 *
 * Every object is timed by the import (one time for the whole run); its metadata.creationTimestamp
 * is kept in `createdAt` only. A document that does not parse is reported with its file and line
 * and the others are kept. In a directory, a document that is not a Kubernetes object (Chart.yaml,
 * values files, CI configuration) and kustomize's own configuration are counted as ignored; in a
 * file named on the command line or on standard input such a document is a problem.
 *
 * Explicit: it writes even when PAC_OBSERVE=off (that switch is about recording analyses).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ZodError } from 'zod';
import { manifestEntries, NOT_AN_OBJECT } from '../../lib/manifest-stream';
import { describeZodIssues } from '../../lib/zod-issues';
import type { CompactionStats } from './compact';
import { redactionKey } from './key';
import { tablePaths } from './layout';
import { buildObservation, type ObservationsConfig } from './record';
import type { Observation } from './schemas';
import { compactObservations } from './store';
import { OBSERVATIONS_TABLE } from './tables';
import { WalWriter } from './wal';

export interface ImportLocation {
  source: string;
  line: number;
  message: string;
}

export interface ImportReport {
  /** the time every imported observation carries */
  time: string;
  files: number;
  imported: number;
  /** distinct manifest digests among the imported objects */
  distinct: number;
  byKind: Record<string, number>;
  /** documents that did not parse (with file and line): reported, the rest kept */
  problems: ImportLocation[];
  /** documents that are not cluster objects, in a directory walk */
  ignored: ImportLocation[];
  /** folders not walked, and why */
  skippedDirs: { path: string; reason: string }[];
  compaction: CompactionStats | null;
}

export interface ImportOptions {
  /** reads standard input when an input is "-" */
  stdin?: () => string;
  /** the import time (default now) */
  time?: Date;
  /** compact the store at the end (default true) */
  compact?: boolean;
  /** after each file: files done, files in all, objects imported so far */
  onProgress?: (done: number, total: number, imported: number) => void;
}

interface InputFile {
  path: string;
  /** found by walking a directory (lenient about non-objects) */
  walked: boolean;
}

const MANIFEST_FILE = /\.(ya?ml|json)$/i;
const SKIPPED_DIR = /^(\.|node_modules$)/;

function collectFiles(inputs: readonly string[], skippedDirs: ImportReport['skippedDirs']): InputFile[] {
  const files: InputFile[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(dir).sort();
    if (names.includes('Chart.yaml')) {
      skippedDirs.push({
        path: dir,
        reason: "a Helm chart's source (its templates are not manifests): import `helm template` output instead",
      });
      return;
    }
    for (const name of names) {
      const path = join(dir, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) {
        if (SKIPPED_DIR.test(name)) skippedDirs.push({ path, reason: 'hidden folder or node_modules' });
        else walk(path);
      } else if (stat?.isFile() && MANIFEST_FILE.test(name)) files.push({ path, walked: true });
    }
  };
  for (const input of inputs) {
    if (input === '-') {
      files.push({ path: '-', walked: false });
      continue;
    }
    const stat = statSync(input, { throwIfNoEntry: false });
    if (!stat) throw new Error(`${input}: no such file or directory`);
    if (stat.isDirectory()) walk(input);
    else files.push({ path: input, walked: false });
  }
  return files;
}

const isKustomizeConfig = (manifest: Record<string, unknown>) =>
  typeof manifest.apiVersion === 'string' && manifest.apiVersion.startsWith('kustomize.config.k8s.io/');

/** Imports every object of the inputs as an observation (source `import`); see the module comment. */
export function importManifests(config: ObservationsConfig, inputs: readonly string[], options: ImportOptions = {}): ImportReport {
  if (inputs.length === 0) throw new Error('nothing to import: name files, directories or "-" (standard input)');
  const time = (options.time ?? new Date()).toISOString();
  const report: ImportReport = {
    time,
    files: 0,
    imported: 0,
    distinct: 0,
    byKind: {},
    problems: [],
    ignored: [],
    skippedDirs: [],
    compaction: null,
  };
  const files = collectFiles(inputs, report.skippedDirs);
  const key = redactionKey(config.observations.dir);
  // its own writer (not the process's recorder): sealed at the end, so the compaction takes it
  const writer = new WalWriter(tablePaths(config.observations.dir, OBSERVATIONS_TABLE.name).wal, { batch: 1024 });
  const digests = new Set<string>();
  try {
    for (const file of files) {
      const text = file.path === '-' ? (options.stdin?.() ?? readFileSync(0, 'utf8')) : readFileSync(file.path, 'utf8');
      report.files++;
      for (const entry of manifestEntries(text, file.path)) {
        if (entry.problem) {
          const notObject = entry.problem.message.endsWith(NOT_AN_OBJECT);
          (notObject && file.walked ? report.ignored : report.problems).push(entry.problem);
          continue;
        }
        const { manifest, line, item } = entry.object;
        if (isKustomizeConfig(manifest)) {
          report.ignored.push({ source: file.path, line, message: "kustomize's configuration, not a cluster object" });
          continue;
        }
        const origin = `${file.path}:${line}${item === undefined ? '' : `#items[${item}]`}`;
        let observation: Observation;
        try {
          observation = buildObservation({ source: 'import', manifest, time, origin }, key);
        } catch (error) {
          report.problems.push({
            source: file.path,
            line,
            message: `not importable: ${error instanceof ZodError ? describeZodIssues(error) : (error as Error).message}`,
          });
          continue;
        }
        writer.append(JSON.stringify(observation));
        digests.add(observation.manifestDigest);
        report.imported++;
        report.byKind[observation.kind] = (report.byKind[observation.kind] ?? 0) + 1;
      }
      options.onProgress?.(report.files, files.length, report.imported);
    }
  } finally {
    writer.close();
  }
  report.distinct = digests.size;
  if (options.compact ?? true) report.compaction = compactObservations(config).observations;
  return report;
}
