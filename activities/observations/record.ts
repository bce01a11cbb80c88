/**
 * Recording: an analysis hands its manifest and findings to the process's recorder, which builds
 * the observation (normalised, redacted, digested) and queues it in the process's write-ahead file.
 * The hot path pays for building one record and an in-memory push; the disk write happens once per
 * batch, on a timer or at exit.
 *
 *   const recorder = observationRecorder(config);       // a no-op when PAC_OBSERVE=off
 *   recorder.record({ source: 'cli', manifest, denied, ranker: { version, top }, corpusDigest, origin });
 *
 * An I/O failure of the store never fails the analysis: it is counted and reported once to stderr
 * (or to `onError`). A bad input (a caller's bug) throws a ZodError naming the field. The recorder
 * of a process shares one writer per store: the options of the first recorder made apply.
 */
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { isObject } from '../../lib/json';
import { maskPii } from '../qa/pii';
import { redactionKey } from './key';
import { tablePaths } from './layout';
import { manifestDigest, type NormalisedManifest, normaliseManifest, redactManifest, skeletonDigest } from './redact';
import {
  type Feedback,
  type FeedbackInput,
  feedbackInputSchema,
  feedbackSchema,
  type Observation,
  type ObservationInput,
  observationInputSchema,
} from './schemas';
import { FEEDBACK_TABLE, OBSERVATIONS_TABLE } from './tables';
import { type WalOptions, WalWriter } from './wal';

/** The part of the configuration the store reads. */
export interface ObservationsConfig {
  observations: { enabled: boolean; dir: string; retentionMs: number; windowMs: number };
}

/** 32 random hex digits (a v4 UUID without dashes: 122 random bits). */
export const newRecordId = (): string => randomUUID().replaceAll('-', '');

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

type ParsedInput = z.output<typeof observationInputSchema>;

/** The observation of a validated input whose manifest is already normalised (redaction, digests). */
function completeObservation(parsed: ParsedInput & { time: string }, normal: NormalisedManifest, key: Uint8Array, id: string): Observation {
  const { manifest, redactions } = redactManifest(normal.manifest, key);
  const metadata = isObject(manifest.metadata) ? manifest.metadata : {};
  return {
    v: 1,
    id,
    time: parsed.time,
    source: parsed.source,
    apiVersion: typeof manifest.apiVersion === 'string' ? manifest.apiVersion : '',
    kind: typeof manifest.kind === 'string' && manifest.kind ? manifest.kind : 'Unknown',
    namespace: stringOrNull(metadata.namespace),
    name: stringOrNull(metadata.name) ?? stringOrNull(metadata.generateName),
    manifestDigest: manifestDigest(manifest),
    skeletonDigest: skeletonDigest(manifest),
    manifest,
    redactions,
    createdAt: normal.createdAt,
    denied: parsed.denied ? [...new Set(parsed.denied)].sort() : null,
    ranker: parsed.ranker ?? null,
    timings: parsed.timings ?? null,
    corpusDigest: parsed.corpusDigest ?? null,
    origin: parsed.origin ?? null,
  };
}

/** The stored observation of one manifest: pure apart from the random id and the clock. */
export function buildObservation(input: ObservationInput, key: Uint8Array, now: Date = new Date()): Observation {
  const parsed = observationInputSchema.parse(input);
  return completeObservation({ ...parsed, time: parsed.time ?? now.toISOString() }, normaliseManifest(parsed.manifest), key, newRecordId());
}

/** A feedback record; the note is PII-masked. */
export function buildFeedback(input: FeedbackInput, now: Date = new Date()): Feedback {
  const parsed = feedbackInputSchema.parse(input);
  return feedbackSchema.parse({
    ...parsed,
    v: 1,
    id: newRecordId(),
    time: parsed.time ?? now.toISOString(),
    namespace: parsed.namespace ?? null,
    name: parsed.name ?? null,
    manifestDigest: parsed.manifestDigest ?? null,
    fixDigest: parsed.fixDigest ?? null,
    strategy: parsed.strategy ?? null,
    note: parsed.note ? maskPii(parsed.note).text : null,
  });
}

// one writer per table directory in this process, closed (flushed and sealed) at exit
const writers = new Map<string, WalWriter>();
let exitHook = false;

export function walWriter(storeDir: string, table: string, options?: WalOptions): WalWriter {
  const dir = tablePaths(storeDir, table).wal;
  let writer = writers.get(dir);
  if (!writer) {
    writer = new WalWriter(dir, options);
    writers.set(dir, writer);
    if (!exitHook) {
      exitHook = true;
      process.once('exit', closeWriters);
    }
  }
  return writer;
}

/** Flushes the writers of this process (their files stay open); readers call it to see their own records. */
export function flushWriters(): void {
  for (const writer of writers.values()) writer.flush();
}

/** Flushes and seals every writer of this process (at exit, and before a compaction in this process). */
export function closeWriters(): void {
  for (const [dir, writer] of writers) {
    try {
      writer.close();
    } catch (error) {
      process.stderr.write(`observations: could not close ${dir}: ${(error as Error).message}\n`);
    }
  }
  writers.clear();
}

export interface Recorder {
  readonly enabled: boolean;
  /**
   * Queues one observation and returns its id (undefined when recording is off or the store
   * failed). Only validation and a normalised copy of the manifest happen here; redaction, digests
   * and the write happen at flush time, off the caller's path.
   */
  record(input: ObservationInput): string | undefined;
  /** Builds the observation now (for a caller that needs its digests) and queues it. */
  recordNow(input: ObservationInput): Observation | undefined;
  flush(): void;
  /** store failures so far (each also reported) */
  readonly errors: number;
}

export type RecorderOptions = WalOptions;

/** The recorder of this process for the configured store (a no-op when PAC_OBSERVE=off). */
export function observationRecorder(config: ObservationsConfig, options: RecorderOptions = {}): Recorder {
  if (!config.observations.enabled)
    return { enabled: false, record: () => undefined, recordNow: () => undefined, flush: () => {}, errors: 0 };
  let errors = 0;
  let reported = false;
  const fail = (error: Error) => {
    errors++;
    if (options.onError) options.onError(error);
    else if (!reported) process.stderr.write(`observations: recording failed (analysis unaffected): ${error.message}\n`);
    reported = true;
    return undefined;
  };
  const dir = config.observations.dir;
  let current: WalWriter | undefined;
  // the process's writer, fetched again after closeWriters() (a compaction in this process)
  const writer = () => {
    if (!current || current.closed) current = walWriter(dir, OBSERVATIONS_TABLE.name, { ...options, onError: fail });
    return current;
  };
  const queue = (line: string | (() => string)) => {
    try {
      writer().append(line);
      return true;
    } catch (error) {
      fail(error as Error);
      return false;
    }
  };
  return {
    enabled: true,
    get errors() {
      return errors;
    },
    record(input) {
      const { manifest, ...rest } = observationInputSchema.parse(input);
      const time = rest.time ?? new Date().toISOString();
      // a snapshot now (the caller may change its manifest after this returns), as JSON text: the
      // cheapest deep copy, and the caller's objects are not kept alive; normalising and
      // redacting it happen at flush time
      const snapshot = JSON.stringify(manifest);
      const id = newRecordId();
      const line = () => {
        const normal = normaliseManifest(JSON.parse(snapshot) as Record<string, unknown>);
        return JSON.stringify(completeObservation({ ...rest, manifest: normal.manifest, time }, normal, redactionKey(dir), id));
      };
      return queue(line) ? id : undefined;
    },
    recordNow(input) {
      let key: Uint8Array;
      try {
        key = redactionKey(dir);
      } catch (error) {
        return fail(error as Error);
      }
      const observation = buildObservation(input, key);
      return queue(JSON.stringify(observation)) ? observation : undefined;
    },
    flush() {
      try {
        writer().flush();
      } catch (error) {
        fail(error as Error);
      }
    },
  };
}

/** Records explicit feedback and writes it at once (feedback is rare and must not wait for a batch). */
export function recordFeedback(config: ObservationsConfig, input: FeedbackInput): Feedback {
  const feedback = buildFeedback(input);
  const writer = walWriter(config.observations.dir, FEEDBACK_TABLE.name);
  writer.append(JSON.stringify(feedback));
  writer.flush();
  return feedback;
}
