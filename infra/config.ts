import { join, resolve } from 'node:path';
import { z } from 'zod';
import { ADMISSION_ENV, admissionChecks, admissionConfig } from './config-admission';
import { parseApiTokens, parseFlag, parseIdentityList, SECRET_VARIABLES, shownValue } from './config-auth';
import {
  cron,
  DEFAULT_LLM_PRICES,
  duration,
  hostPort,
  httpUrl,
  name,
  optionalBaseUrl,
  optionalPath,
  parsePrices,
  port,
  positiveMs,
  share,
  wholeNumber,
  xdg,
} from './config-fields';
import versions from './versions.json' with { type: 'json' };

export { API_SCOPES, type ApiScope, type ApiToken, parseApiTokens, SECRET_VARIABLES, scopeAllows } from './config-auth';
export { DEFAULT_LLM_PRICES, parsePrices } from './config-fields';

/** Every environment variable the platform reads, with its default. Documented in README.md. */
export const envSchema = z.object({
  /** defaults to $XDG_CACHE_HOME/kube-pac-copilot, filled in by loadConfig */
  PAC_CACHE_DIR: z.string().transform((v) => resolve(v)),
  /** defaults to $XDG_STATE_HOME/kube-pac-copilot, filled in by loadConfig */
  PAC_STATE_DIR: z.string().transform((v) => resolve(v)),
  PAC_TEMPORAL_ADDRESS: hostPort('127.0.0.1:7233'),
  PAC_TEMPORAL_NAMESPACE: name('default'),
  PAC_TEMPORAL_UI_PORT: port(8233),
  /** TLS to the Temporal frontend: true/false; unset = on when a TLS file, server name or API key is given */
  PAC_TEMPORAL_TLS: z
    .string()
    .optional()
    .transform((v, ctx) => (v === undefined ? undefined : parseFlag(v, ctx))),
  /** PEM files: the server's root CA, and the client certificate and key for mTLS */
  PAC_TEMPORAL_TLS_CA: optionalPath,
  PAC_TEMPORAL_TLS_CERT: optionalPath,
  PAC_TEMPORAL_TLS_KEY: optionalPath,
  /** TLS server name (SNI) when it differs from the address's host */
  PAC_TEMPORAL_TLS_SERVER_NAME: z.string().optional(),
  /** API key (Temporal Cloud); sent as a bearer credential, implies TLS */
  PAC_TEMPORAL_API_KEY: z.string().optional(),
  PAC_TASK_QUEUE: name('pac-main'),
  PAC_TASK_QUEUE_LIFECYCLE: name('pac-lifecycle'),
  PAC_TASK_QUEUE_DRAFTING: name('pac-drafting'),
  PAC_MLFLOW_URI: httpUrl('http://127.0.0.1:5000'),
  /** bearer token sent to MLflow (as MLFLOW_TRACKING_TOKEN does for the Python client) */
  PAC_MLFLOW_TOKEN: z.string().optional(),
  /** MLflow artifacts: a directory or s3://bucket/prefix (with MLFLOW_S3_ENDPOINT_URL, AWS_*); default $PAC_STATE_DIR/data/mlflow-artifacts */
  PAC_MLFLOW_ARTIFACT_ROOT: z.optional(z.string().regex(/^(s3:\/\/\S+|(?!\w+:\/\/).+)$/, 'expected a directory or s3://bucket/prefix')),
  /** `pac up --profile team`: the PostgreSQL server it starts on 127.0.0.1, or an existing database for MLflow instead */
  PAC_POSTGRES_PORT: port(5432),
  /** checked where used (infra/postgres.ts), so no configuration error can echo its password */
  PAC_POSTGRES_URI: z.string().optional(),
  PAC_WEAVIATE_URL: httpUrl('http://127.0.0.1:8080'),
  /** Weaviate API key (AUTHENTICATION_APIKEY_* on the server) */
  PAC_WEAVIATE_API_KEY: z.string().optional(),
  PAC_WEAVIATE_GRPC_PORT: port(50051),
  PAC_WEAVIATE_CLUSTER_PORT: port(7946),
  PAC_OPA_PATH: optionalPath,
  PAC_TEMPORAL_CLI_PATH: optionalPath,
  PAC_WEAVIATE_PATH: optionalPath,
  PAC_MLFLOW_PATH: optionalPath,
  PAC_OPA_TIMEOUT_MS: positiveMs(30_000),
  PAC_ENGINE_START_TIMEOUT_MS: positiveMs(180_000),
  PAC_RETRAIN_CRON: cron('0 3 * * *'),
  PAC_MONITOR_CRON: cron('0 2 * * *'),
  PAC_DRIFT_THRESHOLD: share(0.3),
  /** OpenAI-compatible chat endpoint (…/v1); unset = the offline generator / offline answers */
  PAC_LLM_BASE_URL: optionalBaseUrl,
  PAC_LLM_API_KEY: z.string().optional(),
  /** the strong model (drafting, complex questions) */
  PAC_LLM_MODEL: z.string().default('gpt-4o'),
  /** the cheap model (simple questions); defaults to PAC_LLM_MODEL */
  PAC_LLM_MODEL_CHEAP: z.string().optional(),
  PAC_LLM_TIMEOUT_MS: positiveMs(120_000),
  /** OpenAI-compatible embeddings endpoint (…/v1); unset = the offline hashing embedder */
  PAC_EMBEDDINGS_BASE_URL: optionalBaseUrl,
  PAC_EMBEDDINGS_API_KEY: z.string().optional(),
  PAC_EMBEDDINGS_MODEL: z.string().default('text-embedding-3-small'),
  /** local-minilm (`npm run models:install`), hashing or openai-compatible; unset: the endpoint if set, else local-minilm if installed, else hashing (with a note) */
  PAC_EMBEDDINGS_PROVIDER: z
    .enum(['local-minilm', 'hashing', 'openai-compatible'], { error: 'expected local-minilm, hashing or openai-compatible' })
    .optional(),
  /** hybrid search: 0 = BM25 only, 1 = vector only */
  PAC_HYBRID_ALPHA: share(0.5),
  PAC_RETRIEVAL_TOP_K: wholeNumber(1, 50, 5),
  /** generate → test → guardrail rounds before a draft ends as failed */
  PAC_DRAFT_MAX_ATTEMPTS: wholeNumber(1, 10, 3),
  /** how long a draft waits for approve/reject before it ends as expired */
  PAC_DRAFT_APPROVAL_TIMEOUT: duration('7d'),
  /** where approved drafts go: a directory, or a git branch (never the main corpus) */
  PAC_PUBLISH_MODE: z.enum(['dir', 'git'], { error: 'expected "dir" or "git"' }).default('dir'),
  /** dir mode: defaults to $PAC_STATE_DIR/published */
  PAC_PUBLISH_DIR: optionalPath,
  /** git mode: the repository (default: the current directory's) */
  PAC_PUBLISH_GIT_REPO: optionalPath,
  PAC_PUBLISH_GIT_BRANCH: z
    .string()
    .default('kpc/drafts')
    .refine((v) => /^[A-Za-z0-9._/-]+$/.test(v) && !v.includes('..') && !v.startsWith('/') && v !== 'main' && v !== 'master', {
      error: 'expected a branch name other than main/master, such as kpc/drafts',
    }),
  /** who may approve or reject from the CLI (--reviewer) and the Temporal UI signals; empty = nobody */
  PAC_REVIEWERS: z
    .string()
    .default('')
    .transform((v, ctx) => parseIdentityList(v, ctx)),
  /** a draft's requester may not approve it */
  PAC_FOUR_EYES: z
    .string()
    .default('true')
    .transform((v, ctx) => parseFlag(v, ctx)),
  /** HTTP API (`pac serve`) */
  PAC_API_HOST: z.string().default('127.0.0.1'),
  PAC_API_PORT: port(8787),
  /** bearer tokens: "name:token:scope+scope,…" (scopes read, propose, approve, admin); the name is the caller's identity */
  PAC_API_TOKENS: z
    .string()
    .default('')
    .transform((value, ctx) => parseApiTokens(value, ctx)),
  PAC_API_BODY_LIMIT_BYTES: z.coerce
    .number({ error: 'expected a number of bytes' })
    .int({ error: 'expected a whole number of bytes' })
    .min(1024, { error: 'expected at least 1024 bytes' })
    .default(5 * 1024 * 1024),
  /** requests per client (token name, else address) per PAC_API_RATE_WINDOW_MS */
  PAC_API_RATE_LIMIT: z.coerce
    .number({ error: 'expected a number of requests' })
    .int({ error: 'expected a whole number of requests' })
    .positive({ error: 'expected a positive number of requests' })
    .default(300),
  PAC_API_RATE_WINDOW_MS: positiveMs(60_000),
  ...ADMISSION_ENV,
  /** document Q&A: the Weaviate collection of knowledge-base chunks */
  PAC_QA_COLLECTION: z
    .string()
    .default('KbChunks')
    .refine((v) => /^[A-Z][A-Za-z0-9_]{0,229}$/.test(v), { error: 'expected a Weaviate collection name such as KbChunks' }),
  /** semantic cache: cosine similarity at or above which a cached answer may be returned (chosen on datasets/kb-eval/cache-pairs.jsonl, test/unit/qa-cache.test.ts) */
  PAC_QA_CACHE_THRESHOLD: share(0.8),
  PAC_QA_CACHE_TTL_MS: positiveMs(3_600_000),
  /** index the shipped knowledge base (datasets/kb) on first use of the document Q&A (by digest: unchanged files are not embedded again) */
  PAC_QA_SHIPPED_KB: z
    .string()
    .default('true')
    .transform((v, ctx) => parseFlag(v, ctx)),
  /** the answer prompt version used when a request names none (activities/qa/prompts/answer.<version>.md) */
  PAC_QA_PROMPT_VERSION: z
    .string()
    .default('v2')
    .refine((v) => /^v\d+$/.test(v), { error: 'expected a prompt version such as v2' }),
  /** USD per million tokens, "model=input/output,…"; merged over the built-in table */
  PAC_LLM_PRICES: z
    .string()
    .default('')
    .transform((value, ctx) => parsePrices(value, ctx)),
  /** observations: every analysed or imported object, secrets redacted (activities/observations) */
  PAC_OBSERVE: z
    .enum(['on', 'off', 'true', 'false', '1', '0'], { error: 'expected "on" or "off"' })
    .default('on')
    .transform((v) => v === 'on' || v === 'true' || v === '1'),
  /** defaults to $PAC_STATE_DIR/observations */
  PAC_OBSERVATIONS_DIR: optionalPath,
  /** segments whose day is older than this are deleted at compaction */
  PAC_OBSERVATIONS_RETENTION: duration('90d'),
  /** the window the lifecycle's ingest and drift read */
  PAC_OBSERVATION_WINDOW: duration('30d'),
  /** the ranker's training mix: the share of its rows taken from the simulated bootstrap set when observations exist */
  PAC_RANKER_SIMULATED_SHARE: share(0.5),
  /** rows per shard of the sharded lifecycle steps (labelling, features) and of `pac analyze-batch`: one activity each */
  PAC_SHARD_SIZE: wholeNumber(1, 1_000_000, 500),
  /** models served from the registry: how often the `champion` alias is looked up again (troubleshooting, drafting) */
  PAC_MODEL_RECHECK_MS: positiveMs(60_000),
  /** a drafted policy's predicted evaluation time above this warns (default: half of a 500 ms webhook timeout) */
  PAC_LATENCY_BUDGET_MS: positiveMs(250),
});

export type Env = z.infer<typeof envSchema>;

/** Names every bad variable; a secret variable's value is shown by its length only (also in `problems`). */
export class ConfigError extends Error {
  readonly problems: { variable: string; message: string; value: unknown }[];
  constructor(problems: { variable: string; message: string; value: unknown }[]) {
    const shown = problems.map((p) => ({ ...p, value: SECRET_VARIABLES.has(p.variable) ? shownValue(p.variable, p.value) : p.value }));
    super(`invalid configuration:\n${problems.map((p) => `  ${p.variable}=${shownValue(p.variable, p.value)}: ${p.message}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = shown;
  }
}

function portOf(url: string, fallback: number): number {
  const parsed = new URL(url.includes('://') ? url : `tcp://${url}`);
  return parsed.port ? Number(parsed.port) : fallback;
}

function hostOf(url: string): string {
  const parsed = new URL(url.includes('://') ? url : `tcp://${url}`);
  return parsed.hostname.replace(/^\[|\]$/g, '');
}

/** Where the installer puts each engine; a PAC_*_PATH variable overrides it. */
function binaries(env: Env) {
  const bin = join(env.PAC_CACHE_DIR, 'bin');
  return {
    temporal: env.PAC_TEMPORAL_CLI_PATH ?? join(bin, `temporal-${versions.temporal.version}`),
    opa: env.PAC_OPA_PATH ?? join(bin, `opa-${versions.opa.version}`),
    weaviate: env.PAC_WEAVIATE_PATH ?? join(bin, `weaviate-server-${versions.weaviate.version}`),
    mlflow: env.PAC_MLFLOW_PATH ?? join(env.PAC_CACHE_DIR, `mlflow-${versions.mlflow.version}`, 'bin', 'mlflow'),
  };
}

export function buildConfig(env: Env) {
  const paths = binaries(env);
  return {
    cacheDir: env.PAC_CACHE_DIR,
    stateDir: env.PAC_STATE_DIR,
    temporal: {
      address: env.PAC_TEMPORAL_ADDRESS,
      host: hostOf(env.PAC_TEMPORAL_ADDRESS),
      port: portOf(env.PAC_TEMPORAL_ADDRESS, 7233),
      namespace: env.PAC_TEMPORAL_NAMESPACE,
      uiPort: env.PAC_TEMPORAL_UI_PORT,
      uiUrl: `http://${hostOf(env.PAC_TEMPORAL_ADDRESS)}:${env.PAC_TEMPORAL_UI_PORT}`,
      cliPath: paths.temporal,
      /** client TLS (infra/clients.ts reads the files when connecting) */
      tls: {
        enabled:
          env.PAC_TEMPORAL_TLS ??
          Boolean(
            env.PAC_TEMPORAL_TLS_CA ||
              env.PAC_TEMPORAL_TLS_CERT ||
              env.PAC_TEMPORAL_TLS_KEY ||
              env.PAC_TEMPORAL_TLS_SERVER_NAME ||
              env.PAC_TEMPORAL_API_KEY,
          ),
        caFile: env.PAC_TEMPORAL_TLS_CA,
        certFile: env.PAC_TEMPORAL_TLS_CERT,
        keyFile: env.PAC_TEMPORAL_TLS_KEY,
        serverName: env.PAC_TEMPORAL_TLS_SERVER_NAME,
      },
      apiKey: env.PAC_TEMPORAL_API_KEY,
      taskQueues: {
        main: env.PAC_TASK_QUEUE,
        lifecycle: env.PAC_TASK_QUEUE_LIFECYCLE,
        drafting: env.PAC_TASK_QUEUE_DRAFTING,
      },
    },
    mlflow: {
      uri: env.PAC_MLFLOW_URI,
      host: hostOf(env.PAC_MLFLOW_URI),
      port: portOf(env.PAC_MLFLOW_URI, env.PAC_MLFLOW_URI.startsWith('https') ? 443 : 80),
      path: paths.mlflow,
      token: env.PAC_MLFLOW_TOKEN,
      artifactRoot: env.PAC_MLFLOW_ARTIFACT_ROOT,
    },
    postgres: { host: '127.0.0.1', port: env.PAC_POSTGRES_PORT, externalUri: env.PAC_POSTGRES_URI, database: 'mlflow' },
    weaviate: {
      url: env.PAC_WEAVIATE_URL,
      host: hostOf(env.PAC_WEAVIATE_URL),
      port: portOf(env.PAC_WEAVIATE_URL, env.PAC_WEAVIATE_URL.startsWith('https') ? 443 : 80),
      grpcPort: env.PAC_WEAVIATE_GRPC_PORT,
      /** gossip, data, raft and raft-rpc ports are this one and the three after it */
      clusterPort: env.PAC_WEAVIATE_CLUSTER_PORT,
      path: paths.weaviate,
      apiKey: env.PAC_WEAVIATE_API_KEY,
    },
    opa: {
      path: paths.opa,
      timeoutMs: env.PAC_OPA_TIMEOUT_MS,
    },
    engineStartTimeoutMs: env.PAC_ENGINE_START_TIMEOUT_MS,
    schedules: { retrainCron: env.PAC_RETRAIN_CRON, monitorCron: env.PAC_MONITOR_CRON },
    drift: { threshold: env.PAC_DRIFT_THRESHOLD },
    llm: {
      baseUrl: env.PAC_LLM_BASE_URL,
      apiKey: env.PAC_LLM_API_KEY,
      model: env.PAC_LLM_MODEL,
      cheapModel: env.PAC_LLM_MODEL_CHEAP ?? env.PAC_LLM_MODEL,
      timeoutMs: env.PAC_LLM_TIMEOUT_MS,
    },
    embeddings: {
      baseUrl: env.PAC_EMBEDDINGS_BASE_URL,
      apiKey: env.PAC_EMBEDDINGS_API_KEY,
      model: env.PAC_EMBEDDINGS_MODEL,
      provider: env.PAC_EMBEDDINGS_PROVIDER,
    },
    retrieval: { alpha: env.PAC_HYBRID_ALPHA, topK: env.PAC_RETRIEVAL_TOP_K },
    drafting: {
      maxAttempts: env.PAC_DRAFT_MAX_ATTEMPTS,
      approvalTimeoutMs: env.PAC_DRAFT_APPROVAL_TIMEOUT,
      /** identities allowed to decide from the CLI and the Temporal UI (the API uses token names and scopes) */
      reviewers: env.PAC_REVIEWERS,
      /** a draft's requester may not approve it */
      fourEyes: env.PAC_FOUR_EYES,
      publish: {
        mode: env.PAC_PUBLISH_MODE,
        dir: env.PAC_PUBLISH_DIR ?? join(env.PAC_STATE_DIR, 'published'),
        gitRepo: env.PAC_PUBLISH_GIT_REPO ?? process.cwd(),
        gitBranch: env.PAC_PUBLISH_GIT_BRANCH,
      },
    },
    api: {
      host: env.PAC_API_HOST,
      port: env.PAC_API_PORT,
      tokens: env.PAC_API_TOKENS,
      bodyLimitBytes: env.PAC_API_BODY_LIMIT_BYTES,
      rateLimit: { max: env.PAC_API_RATE_LIMIT, windowMs: env.PAC_API_RATE_WINDOW_MS },
      ...admissionConfig(env),
    },
    qa: {
      collection: env.PAC_QA_COLLECTION,
      cacheThreshold: env.PAC_QA_CACHE_THRESHOLD,
      cacheTtlMs: env.PAC_QA_CACHE_TTL_MS,
      promptVersion: env.PAC_QA_PROMPT_VERSION,
      shippedKb: env.PAC_QA_SHIPPED_KB,
      prices: { ...DEFAULT_LLM_PRICES, ...env.PAC_LLM_PRICES },
    },
    observations: {
      enabled: env.PAC_OBSERVE,
      dir: env.PAC_OBSERVATIONS_DIR ?? join(env.PAC_STATE_DIR, 'observations'),
      retentionMs: env.PAC_OBSERVATIONS_RETENTION,
      windowMs: env.PAC_OBSERVATION_WINDOW,
    },
    models: {
      recheckMs: env.PAC_MODEL_RECHECK_MS,
      latencyBudgetMs: env.PAC_LATENCY_BUDGET_MS,
      rankerSimulatedShare: env.PAC_RANKER_SIMULATED_SHARE,
      shardSize: env.PAC_SHARD_SIZE,
    },
    versions,
  };
}

export type Config = ReturnType<typeof buildConfig>;

/** Every secret value of a configuration, for redaction (lib/redact.ts) of errors, logs and answers. */
export function secretValues(config: Config): string[] {
  const values = [
    ...config.api.tokens.map((t) => t.token),
    config.api.admission.token,
    config.llm.apiKey,
    config.embeddings.apiKey,
    config.temporal.apiKey,
    config.mlflow.token,
    config.weaviate.apiKey,
    config.postgres.externalUri,
  ];
  return values.filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** Problems between variables that are each valid alone. */
function crossChecks(env: Env): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  if (Boolean(env.PAC_TEMPORAL_TLS_CERT) !== Boolean(env.PAC_TEMPORAL_TLS_KEY))
    problems.push({
      variable: env.PAC_TEMPORAL_TLS_CERT ? 'PAC_TEMPORAL_TLS_KEY' : 'PAC_TEMPORAL_TLS_CERT',
      message: 'mTLS needs both PAC_TEMPORAL_TLS_CERT and PAC_TEMPORAL_TLS_KEY (the client certificate and its key)',
    });
  problems.push(...admissionChecks(env));
  if (env.PAC_TEMPORAL_TLS === false && (env.PAC_TEMPORAL_TLS_CA || env.PAC_TEMPORAL_TLS_CERT || env.PAC_TEMPORAL_TLS_SERVER_NAME))
    problems.push({ variable: 'PAC_TEMPORAL_TLS', message: 'TLS is turned off but TLS files or a server name are set' });
  if (env.PAC_EMBEDDINGS_PROVIDER === 'openai-compatible' && !env.PAC_EMBEDDINGS_BASE_URL)
    problems.push({ variable: 'PAC_EMBEDDINGS_BASE_URL', message: 'PAC_EMBEDDINGS_PROVIDER=openai-compatible needs the endpoint (…/v1)' });
  return problems;
}

/** Reads and validates the configuration; throws ConfigError naming every bad variable. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const relevant: Record<string, string | undefined> = {};
  for (const key of Object.keys(envSchema.shape)) {
    const value = source[key];
    relevant[key] = value === '' ? undefined : value;
  }
  relevant.PAC_CACHE_DIR ??= join(xdg(source, 'XDG_CACHE_HOME', '.cache'), 'kube-pac-copilot');
  relevant.PAC_STATE_DIR ??= join(xdg(source, 'XDG_STATE_HOME', join('.local', 'state')), 'kube-pac-copilot');
  const parsed = envSchema.safeParse(relevant);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = String(issue.path[0] ?? '(environment)');
        return { variable, message: issue.message, value: relevant[variable] };
      }),
    );
  }
  const cross = crossChecks(parsed.data);
  if (cross.length > 0) throw new ConfigError(cross.map((p) => ({ ...p, value: relevant[p.variable] })));
  return buildConfig(parsed.data);
}
