/**
 * What an analysis records (issue 12): one observation per analysed object — the manifest (the
 * store redacts it), the policies that denied it, per-policy evaluation times where the engine
 * sampled them, the ranker and its top-k when ranking was asked for, the corpus digest and where it
 * was read — through the process's recorder (activities/observations), a no-op with PAC_OBSERVE=off.
 *
 * Recording must not slow the analysis: building a stored observation (normalising, redacting,
 * two digests) costs about 0.3 ms of CPU per manifest, a third of what evaluating the corpus costs.
 * So recording runs on a time budget: it may use RECORDING_SHARE of the wall time (plus a burst,
 * enough for a few hundred objects at once), measured on every call; an object that comes while
 * the budget is spent is not recorded, and counted. An analysis of a few files records everything;
 * one of a 10,000-file directory records what 5 % of its time allows — spread over the run.
 * Records are written in small batches as they come, so no single flush blocks a request for long.
 */
import type { Config } from '../../infra/config';
import { type ObservationSource, observationRecorder, type Recorder } from '../observations';
import type { ManifestDocument } from './documents';

/** Share of the wall time recording may take. */
export const RECORDING_SHARE = 0.05;
/** Recording time (ms) available at once: a burst. */
export const RECORDING_BURST_MS = 150;
/** Records written per flush. */
const FLUSH_EVERY = 32;

/** The source of an analysis run from the command line: `ci` when the CI variable says so, else `cli`. */
export function commandLineSource(env: NodeJS.ProcessEnv = process.env): 'ci' | 'cli' {
  const ci = (env.CI ?? '').trim().toLowerCase();
  return ci !== '' && ci !== 'false' && ci !== '0' ? 'ci' : 'cli';
}

/** A token bucket of recording time: fills at `share` ms per ms of wall time, up to `burstMs`. */
export class RecordingBudget {
  private tokens: number;
  private last: number;

  constructor(
    private readonly share = RECORDING_SHARE,
    private readonly burstMs = RECORDING_BURST_MS,
    /** the clock recording time is measured with */
    readonly now: () => number = () => performance.now(),
  ) {
    this.tokens = burstMs;
    this.last = now();
  }

  private refill(): void {
    const t = this.now();
    this.tokens = Math.min(this.burstMs, this.tokens + (t - this.last) * this.share);
    this.last = t;
  }

  /** Whether there is recording time left now. */
  allows(): boolean {
    this.refill();
    return this.tokens > 0;
  }

  /** Takes `ms` of recording time (the bucket may go below zero: the next calls wait for it to refill). */
  spend(ms: number): void {
    this.refill();
    this.tokens -= ms;
  }
}

/** What the engine said about one object: the denying policies and, when it sampled this object, per-policy times (µs). */
export interface ObservedVerdict {
  denied: Record<string, string[]>;
  timingsUs?: Record<string, number>;
  /** policies that could not evaluate the object (reported as problems, not recorded as verdicts) */
  failed?: Record<string, string>;
}

export interface AnalysisObserver {
  /** Records one analysed object (when recording is on and the budget allows). */
  observe(
    object: Pick<ManifestDocument, 'manifest' | 'source' | 'line' | 'item'>,
    verdict: ObservedVerdict,
    ranked?: { policy: string; score: number }[],
  ): void;
  /** Writes what is pending; the counts so far. */
  finish(): { recorded: number; skipped: number };
}

export interface ObserverOptions {
  source: ObservationSource;
  /** the engine's corpus digest (corpus ∪ published) */
  corpusDigest: string;
  /** which ranker ranked ("kpc-policy-ranker v3 (champion)"), when ranking was asked for */
  ranker?: string;
  /** the origin of an object; default "file:line" (+ "#items[i]" for an item of a List) */
  originOf?: (object: Pick<ManifestDocument, 'source' | 'line' | 'item'>) => string;
  budget?: RecordingBudget;
  recorder?: Recorder;
}

const NOOP: AnalysisObserver = { observe: () => {}, finish: () => ({ recorded: 0, skipped: 0 }) };

/** An observer of one analysis (a CLI run, an API request); a no-op when recording is off. */
export function analysisObserver(config: Pick<Config, 'observations'>, options: ObserverOptions): AnalysisObserver {
  const recorder = options.recorder ?? observationRecorder(config);
  if (!recorder.enabled) return NOOP;
  const budget = options.budget ?? new RecordingBudget();
  const originOf = options.originOf ?? ((o) => `${o.source}:${o.line}${o.item === undefined ? '' : `#items[${o.item}]`}`);
  let recorded = 0;
  let skipped = 0;
  let unflushed = 0;
  const timed = (work: () => void) => {
    const started = budget.now();
    try {
      work();
    } catch {
      // a record the store refuses (or a store failure, already reported once) never fails the analysis
    }
    budget.spend(budget.now() - started);
  };
  const flush = () => {
    if (unflushed === 0) return;
    unflushed = 0;
    timed(() => recorder.flush());
  };
  return {
    observe(object, verdict, ranked) {
      if (!budget.allows()) {
        skipped++;
        return;
      }
      timed(() => {
        const id = recorder.record({
          source: options.source,
          manifest: object.manifest,
          denied: Object.keys(verdict.denied),
          ranker: ranked && options.ranker ? { version: options.ranker, top: ranked } : null,
          timings: verdict.timingsUs
            ? Object.entries(verdict.timingsUs).map(([policy, us]) => ({ policy, ms: Math.round(us) / 1000 }))
            : null,
          corpusDigest: options.corpusDigest,
          origin: originOf(object),
        });
        if (id !== undefined) recorded++;
      });
      if (++unflushed >= FLUSH_EVERY) flush();
    },
    finish() {
      flush();
      return { recorded, skipped };
    },
  };
}
