/**
 * The `pac` commands: name, one-line summary and the module that defines it. A command's module is
 * loaded only when that command runs (or shows its --help), so the heavy clients it uses (Temporal,
 * Weaviate, polars, LangGraph, fastify, prom-client) never load for another command.
 */
import type { Command } from '../common';

export interface CommandEntry {
  summary: string;
  load: () => Promise<{ command: Command }>;
}

/** In the order `pac --help` lists them. */
export const COMMANDS: Record<string, CommandEntry> = {
  install: { summary: 'install the engines that are missing (Temporal CLI, OPA, Weaviate, MLflow)', load: () => import('./install') },
  up: {
    summary: 'start the engines (temporal, mlflow, weaviate; --profile team: MLflow on PostgreSQL) and wait until healthy',
    load: () => import('./up'),
  },
  down: { summary: "stop the engines that 'up' started", load: () => import('./down') },
  status: { summary: 'health, URL and version of every engine', load: () => import('./status') },
  worker: { summary: 'run workers on the task queues (main, lifecycle, drafting) until interrupted', load: () => import('./worker') },
  healthcheck: { summary: "run the healthcheck workflow (needs a running worker: 'pac worker')", load: () => import('./healthcheck') },
  demo: {
    summary: 'up + the model lifecycle of every family end to end + a policy draft + one cited Q&A answer; prints MLflow links',
    load: () => import('./demo'),
  },
  train: { summary: 'run the lifecycle workflow (ingest → features → train → evaluate → register)', load: () => import('./train') },
  models: { summary: 'registered model versions, aliases and metrics', load: () => import('./models') },
  drift: {
    summary: 'drift of the observation window against the ranker champion now (retrains on it when drifted)',
    load: () => import('./drift'),
  },
  ingest: { summary: 'import manifests (dump, GitOps repo, helm template output) as observations', load: () => import('./ingest') },
  observations: { summary: 'observation counts per source, day and kind', load: () => import('./observations') },
  analyze: {
    summary: 'the policies that deny each Kubernetes object, by severity (text, JSON, SARIF, JUnit, GitHub annotations)',
    load: () => import('./analyze'),
  },
  batch: {
    summary: 'pac analyze for big inputs, as shard activities shared by every lifecycle worker (Temporal)',
    load: () => import('./batch'),
  },
  schedule: { summary: 'create or update the daily retrain and monitor Temporal Schedules', load: () => import('./schedule') },
  pause: { summary: 'pause the retrain and monitor Schedules with a note (who, why); workflows go on', load: () => import('./pause') },
  resume: { summary: 'resume the paused retrain and monitor Schedules', load: () => import('./resume') },
  draft: {
    summary: 'start a policy draft (retrieve → generate → opa test → guardrails → await approval)',
    load: () => import('./draft'),
  },
  drafts: { summary: 'drafts waiting for a decision (--all: every running draft); with an id, its status', load: () => import('./drafts') },
  approve: { summary: 'approve a draft awaiting approval; it is then published', load: () => import('./approve') },
  reject: { summary: 'reject a draft awaiting approval', load: () => import('./reject') },
  serve: { summary: 'the HTTP API (OpenAPI UI at /docs, Prometheus /metrics)', load: () => import('./serve') },
  ask: { summary: 'answer a question from the knowledge base, with citations (file and heading)', load: () => import('./ask') },
  docs: { summary: "the knowledge base's documents: add (Markdown, text, HTML), list, rm", load: () => import('./docs') },
  troubleshoot: {
    summary: 'why a manifest is denied: failure class, smallest denied manifest, verified fixes',
    load: () => import('./troubleshoot'),
  },
  autofix: { summary: 'apply verified fixes for every denial (dry run unless --write)', load: () => import('./autofix') },
  lint: { summary: 'opa check --strict plus our own Rego rules', load: () => import('./lint') },
  feedback: {
    summary: 'record what happened to a suggested fix (accepted, reverted, policy changed, exempted)',
    load: () => import('./feedback'),
  },
  'ci-log': { summary: 'root cause, fix and evidence lines of a failed CI log', load: () => import('./ci-log') },
  export: { summary: 'every corpus policy as a Gatekeeper ConstraintTemplate and Constraint', load: () => import('./export') },
};
