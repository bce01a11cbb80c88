/**
 * The drafting loop's activities: retrieve → generate → test (real OPA) → guardrail → publish, and
 * the decision record (audit log + MLflow). Each takes one typed object and is safe to retry:
 * retrieval upserts by key, generation is deterministic offline, validation works in a fresh
 * temporary directory, publication replaces the policy's own files and index line (git: finds its
 * own commit by key), and decisions are keyed by workflow id + run id (one MLflow run and one audit
 * line per execution and event). The longer ones heartbeat while they work, so a worker that dies
 * mid-step is noticed within the heartbeat timeout.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { loadNegativeFixtures, loadPolicyIndex, loadPositiveFixtures } from '../../datasets/load';
import { INVENTORY_FILE, POLICIES_DIR } from '../../datasets/paths';
import type { Config } from '../../infra/config';
import { mlflowClientFromConfig } from '../../registry/mlflow';
import { llmProviderFromConfig } from '../llm/chat';
import { embeddingProviderFromConfig } from '../llm/embeddings';
import { OpaNotFoundError } from '../opa/errors';
import { loadObservedWorkloads, reviewDetails } from './blast-radius';
import { checkGuardrails } from './guardrail';
import { predictDraftLatency } from './latency-budget';
import { generateWithLLM } from './llm-generate';
import { policyIdFor } from './naming';
import { deriveCandidates, generateOffline, NoCandidateError } from './offline';
import { takenPolicyIds } from './policy-ids';
import { appendAudit, type Publication, type PublishInput, policyDigest, publishDraft } from './publish';
import { describeConstraint } from './rego-writer';
import { indexPolicies, readCorpusPolicy, searchPolicies } from './retrieve';
import type { AuditRecord, Draft, DraftRequest, GuardrailReport, Provenance, ValidationReport } from './schemas';
import { type FixtureSet, validateDraft } from './validate';

export const DRAFTS_EXPERIMENT = 'kpc-drafts';

let fixtureCache: FixtureSet | undefined;
function fixtureSet(): FixtureSet {
  if (fixtureCache) return fixtureCache;
  const negatives = loadNegativeFixtures();
  const corpusDenials: Record<string, string[]> = {};
  for (const n of negatives) {
    for (const id of n.expected.deny) {
      corpusDenials[id] = [...(corpusDenials[id] ?? []), n.name];
    }
  }
  fixtureCache = {
    positives: loadPositiveFixtures().map((p) => ({ name: p.name, manifest: p.manifest })),
    negatives: negatives.map((n) => ({ name: n.name, manifest: n.manifest, deny: n.expected.deny })),
    corpusDenials,
    libraryFile: join(POLICIES_DIR, 'lib', 'k8s.rego'),
    inventoryFile: INVENTORY_FILE,
  };
  return fixtureCache;
}

/** The corpus is indexed once per worker process and embedder (upserts are idempotent anyway). */
const indexed = new Map<string, Promise<unknown>>();

export type GenerateInput = {
  request: DraftRequest;
  provenance: Provenance[];
  attempt: number;
  /** the previous attempts' guardrail failures */
  feedback: string[];
  /** offline generator: constraints the guardrails already rejected */
  rejected: string[];
};

export type DecisionInput = {
  draftId: string;
  workflowId: string;
  /** the workflow execution's run id: with workflowId the key of the MLflow run and the audit line */
  runId: string;
  request: DraftRequest;
  draft?: Draft;
  report?: ValidationReport;
  decision: AuditRecord['decision'];
  actor: string;
  reason: string;
  attempts: number;
  publishedTo?: string;
};

/** A refused decision (reviewer not allowed, four-eyes), recorded in the audit log. */
export type RefusalInput = {
  draftId: string;
  workflowId: string;
  runId: string;
  request: DraftRequest;
  draft?: Draft;
  /** which refusal of this execution (its index in refusedSignals): the key of its audit line */
  seq: number;
  actor: string;
  reason: string;
};

/**
 * Heartbeats every `everyMs` while `work` runs (it runs child processes: the event loop is free),
 * so a worker killed mid-step is noticed within the heartbeat timeout; stops with the work.
 */
async function withHeartbeat<T>(step: string, work: () => Promise<T>, everyMs = 2_000): Promise<T> {
  const context = Context.current();
  const started = Date.now();
  context.heartbeat({ step, seconds: 0 });
  const timer = setInterval(() => context.heartbeat({ step, seconds: Math.round((Date.now() - started) / 1000) }), everyMs);
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}

/** Weaviate did not answer (down, restarting): retryable, with what to check. */
export class WeaviateUnavailableError extends Error {
  override name = 'WeaviateUnavailableError';
}

export function draftingActivities(config: Config) {
  const embedder = embeddingProviderFromConfig(config);
  const llm = llmProviderFromConfig(config);

  /** The LLM provider when configured, otherwise the offline generator. */
  async function generate(input: GenerateInput): Promise<Draft> {
    const corpus = loadPolicyIndex();
    const corpusIds = corpus.map((p) => p.id);
    // a derived id steps past every taken one (the corpus and the published policies)
    const takenIds = [...(await takenPolicyIds(config)).keys()];
    if (llm) {
      const candidate = deriveCandidates(input.request, input.provenance)[0];
      const policyId =
        input.request.policyId ??
        input.request.replaces ??
        (candidate
          ? policyIdFor(candidate.constraint, takenIds)
          : `draft-${input.request.intent
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, '-')
              .split('-')
              .filter(Boolean)
              .slice(0, 5)
              .join('-')}`);
      const kinds = input.request.kinds ?? candidate?.constraint.kinds ?? input.provenance[0]?.kinds ?? ['Pod'];
      const fewShot = input.provenance
        .filter((p) => corpusIds.includes(p.policyId))
        .slice(0, 3)
        .map((p) => {
          const policy = readCorpusPolicy(POLICIES_DIR, corpus.find((m) => m.id === p.policyId) as (typeof corpus)[number]);
          return { policyId: p.policyId, policy: policy.policy, tests: policy.tests };
        });
      const category = input.request.category ?? corpus.find((m) => m.id === input.provenance[0]?.policyId)?.category ?? 'pod-security';
      const { draft: written } = await generateWithLLM({
        llm,
        request: input.request,
        policyId,
        kinds,
        fewShot,
        feedback: input.feedback,
        attempt: input.attempt,
        category,
      });
      return input.request.replaces ? { ...written, replaces: input.request.replaces } : written;
    }
    try {
      return generateOffline({
        request: input.request,
        retrieved: input.provenance,
        corpusIds: takenIds,
        rejected: input.rejected,
        attempt: input.attempt,
      });
    } catch (error) {
      if (error instanceof NoCandidateError)
        throw ApplicationFailure.nonRetryable(error.message, 'NoCandidateError', { reasons: error.reasons });
      throw error;
    }
  }

  return {
    /** Indexes the corpus in Weaviate (once per process) and returns the top-k hybrid hits. */
    async retrievePolicies(input: { request: DraftRequest }): Promise<Provenance[]> {
      const key = `${embedder.id}@${config.weaviate.url}`;
      try {
        if (!indexed.has(key)) {
          const policies = loadPolicyIndex().map((meta) => readCorpusPolicy(POLICIES_DIR, meta));
          const job = indexPolicies(config, embedder, policies);
          indexed.set(key, job);
          job.catch(() => indexed.delete(key));
        }
        await indexed.get(key);
        const query = [input.request.intent, ...(input.request.kinds ?? [])].join(' ');
        return await searchPolicies(config, embedder, query, { limit: config.retrieval.topK, alpha: config.retrieval.alpha });
      } catch (error) {
        const message = (error as Error).message;
        // the engine is down or restarting: say so plainly; the step is retried until it is back
        if (/ECONNREFUSED|fetch failed|UNAVAILABLE|ECONNRESET|socket hang up|connect|timed? ?out/i.test(message))
          throw new WeaviateUnavailableError(
            `Weaviate at ${config.weaviate.url} (gRPC port ${config.weaviate.grpcPort}) is unreachable: ${message.split('\n')[0]} — check \`npx pac status\`, start it with \`npx pac up\`; the step is retried`,
          );
        throw error;
      }
    },

    /** The LLM provider when configured, otherwise the offline generator. */
    async generateDraft(input: GenerateInput): Promise<Draft> {
      return withHeartbeat('generate', () => generate(input));
    },

    /** opa check --strict, opa test with coverage, and evaluation over the fixtures, the observed workloads and the examples. */
    async testDraft(input: { draft: Draft; request: DraftRequest; provenance: Provenance[] }): Promise<ValidationReport> {
      // a missing binary is not a property of the draft: fail the step (not retryable) instead of the guardrails
      await access(config.opa.path, constants.X_OK).catch((error) => {
        throw new OpaNotFoundError(config.opa.path, error);
      });
      return withHeartbeat('test', async () =>
        validateDraft({
          config,
          draft: input.draft,
          request: input.request,
          fixtures: fixtureSet(),
          relevantPolicies: input.provenance.map((p) => p.policyId),
          // the recent window of the observation store (bounded): the blast radius on real workloads
          observed: loadObservedWorkloads(config),
          taken: await takenPolicyIds(config),
        }),
      );
    },

    async guardrailDraft(input: { draft: Draft; report: ValidationReport }): Promise<GuardrailReport & { rejectedConstraint?: string }> {
      const verdict = checkGuardrails(input.draft, input.report);
      // a draft that passed: its predicted evaluation time against the budget (a warning, never a failed gate)
      const latency = verdict.passed ? await predictDraftLatency(config, input.draft) : undefined;
      const review = verdict.passed
        ? [reviewDetails(input.report.blastRadius, input.draft.policyId, input.draft.replaces), latency?.details]
            .filter(Boolean)
            .join('\n\n')
        : undefined;
      return {
        ...verdict,
        ...(latency ? { latency } : {}),
        ...(review ? { review } : {}),
        ...(input.draft.constraint && !verdict.passed ? { rejectedConstraint: describeConstraint(input.draft.constraint) } : {}),
      };
    },

    /**
     * Writes the approved draft to the publication (directory or git branch); never the main corpus.
     * Idempotent by input.key; a failed try is audited (publish-failed, one line per try) and rethrown,
     * so Temporal retries it.
     */
    async publishApprovedDraft(
      input: PublishInput & { draftId: string; workflowId: string; runId: string; request: DraftRequest },
    ): Promise<Publication> {
      try {
        return await withHeartbeat('publish', () => publishDraft(config, input));
      } catch (error) {
        const attempt = Context.current().info.attempt;
        await appendAudit(config, {
          at: new Date().toISOString(),
          draftId: input.draftId,
          workflowId: input.workflowId,
          runId: input.runId,
          key: `${input.workflowId}/${input.runId}/publish-failed/${attempt}`,
          policyId: input.draft.policyId,
          decision: 'publish-failed',
          actor: 'publisher',
          reason: `try ${attempt}: ${(error as Error).message}`.slice(0, 4000),
          requester: input.request.requester,
          intent: input.request.intent,
          policyDigest: policyDigest(input.draft),
        }).catch(() => undefined);
        throw error;
      }
    },

    /** Records a refused decision (a reviewer not on the list, the requester approving their own draft). */
    async recordRefusal(input: RefusalInput): Promise<{ auditFile: string }> {
      const auditFile = await appendAudit(config, {
        at: new Date().toISOString(),
        draftId: input.draftId,
        workflowId: input.workflowId,
        runId: input.runId,
        key: `${input.workflowId}/${input.runId}/refused/${input.seq}`,
        policyId: input.draft?.policyId ?? '',
        decision: 'refused',
        actor: input.actor,
        reason: input.reason,
        requester: input.request.requester,
        intent: input.request.intent,
        policyDigest: input.draft ? policyDigest(input.draft) : '',
      });
      return { auditFile };
    },

    /** Appends the decision to the audit log and records it as a tagged MLflow run. */
    async recordDecision(input: DecisionInput): Promise<{ auditFile: string; mlflowRunId?: string }> {
      const client = mlflowClientFromConfig(config);
      const experiment = await client.getOrCreateExperiment(DRAFTS_EXPERIMENT, { purpose: 'drafted policies and their decisions' });
      // idempotent across retries: one run per workflow execution (a re-run draft gets its own)
      const existing = await client.searchRuns({
        experimentIds: [experiment.experiment_id],
        filter: `tags.workflow_id = '${input.workflowId}' and tags.workflow_run_id = '${input.runId}'`,
      });
      const run =
        existing.runs[0] ??
        (await client.createRun({
          experimentId: experiment.experiment_id,
          runName: input.draftId,
          tags: {
            draft_id: input.draftId,
            workflow_id: input.workflowId,
            workflow_run_id: input.runId,
            'mlflow.source.name': 'kube-pac-copilot drafting',
          },
        }));
      const runId = run.info.run_id;
      const report = input.report;
      await client.logBatch({
        runId,
        tags: {
          decision: input.decision,
          actor: input.actor,
          reason: input.reason.slice(0, 4000),
          requester: input.request.requester,
          policy_id: input.draft?.policyId ?? '',
          generator: input.draft?.generator ?? '',
          ...(input.publishedTo ? { published_to: input.publishedTo } : {}),
        },
        params: existing.runs[0] ? {} : { intent: input.request.intent.slice(0, 500), severity: input.request.severity },
        metrics: Object.entries({
          attempts: input.attempts,
          ...(report
            ? {
                tests_total: report.tests.total,
                tests_passed: report.tests.passed,
                coverage: report.coverage ?? 0,
                false_positive_rate: report.positivesChecked ? report.falsePositives.length / report.positivesChecked : 1,
                ...(report.blastRadius ? { blast_radius: report.blastRadius.share } : {}),
                validation_seconds: report.seconds,
              }
            : {}),
        }).map(([key, value]) => ({
          key,
          value,
          ...(run.info.start_time !== undefined ? { timestamp: Number(run.info.start_time) } : {}),
        })),
      });
      if (input.draft) {
        await client.uploadArtifact(runId, `${input.draft.policyId}/policy.rego`, input.draft.policy, 'text/plain');
        await client.uploadArtifact(runId, `${input.draft.policyId}/policy_test.rego`, input.draft.tests, 'text/plain');
      }
      await client.updateRun({ runId, status: input.decision === 'failed' ? 'FAILED' : 'FINISHED' });
      const auditFile = await appendAudit(config, {
        at: new Date().toISOString(),
        draftId: input.draftId,
        workflowId: input.workflowId,
        runId: input.runId,
        key: `${input.workflowId}/${input.runId}/${input.decision}`,
        policyId: input.draft?.policyId ?? '',
        decision: input.decision,
        actor: input.actor,
        reason: input.reason,
        requester: input.request.requester,
        intent: input.request.intent,
        policyDigest: input.draft ? policyDigest(input.draft) : '',
        ...(input.publishedTo ? { publishedTo: input.publishedTo } : {}),
        mlflowRunId: runId,
      });
      return { auditFile, mlflowRunId: runId };
    },
  };
}
