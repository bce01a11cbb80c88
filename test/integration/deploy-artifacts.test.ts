/**
 * The single-host team install (infra/compose/compose.yaml) and the product image (infra/Dockerfile),
 * checked statically: no container engine runs here, so nothing is built or started. The compose file
 * is loaded by Docker Compose's own loader (compose-spec/compose-go, built by infra/install-tools.ts:
 * the Compose JSON schema, interpolation, merge keys), then read again with a structural zod schema of
 * the parts of the specification it uses (services, images, builds, environment, healthchecks,
 * depends_on, volumes, ports) and cross-checked: references resolve, every PAC_* variable is one
 * infra/config.ts reads and loads as a valid configuration, secrets come only from the environment
 * file, versions match infra/versions.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { envSchema, loadConfig, SECRET_VARIABLES } from '../../infra/config';
import { installTools } from '../../infra/install-tools';
import versions from '../../infra/versions.json' with { type: 'json' };
import { config, exec, ROOT, tools } from './deploy-harness';

const COMPOSE_DIR = join(ROOT, 'infra/compose');
const QUEUES = ['main', 'lifecycle', 'drafting'] as const;

const duration = z.string().regex(/^\d+(ms|s|m|h)$/, 'a duration such as 10s');
/** an image pinned by tag, never latest; or ${VARIABLE:-such an image} (the locally built ones) */
const imageReference = /^[a-z0-9][a-z0-9./_-]*:(?!latest$)[A-Za-z0-9._-]+$/;
const image = z
  .string()
  .refine((v) => imageReference.test(/^\$\{[A-Z0-9_]+:-(.+)\}$/.exec(v)?.[1] ?? v), 'an image pinned by tag (never latest)');
const healthcheckSchema = z
  .object({
    test: z.tuple([z.enum(['CMD', 'CMD-SHELL'])], z.string()).refine((t) => t.length >= 2, 'a command after CMD/CMD-SHELL'),
    interval: duration,
    timeout: duration,
    retries: z.number().int().positive(),
    start_period: duration.optional(),
  })
  .strict();
const serviceSchema = z
  .object({
    image,
    build: z.object({ context: z.string(), dockerfile: z.string() }).strict().optional(),
    restart: z.enum(['no', 'always', 'unless-stopped', 'on-failure']).optional(),
    command: z.array(z.string()).min(1).optional(),
    environment: z.record(z.string().regex(/^[A-Z_][A-Z0-9_]*$/), z.string()).optional(),
    ports: z.array(z.string().regex(/^127\.0\.0\.1:\d+:\d+$/, 'published on 127.0.0.1 only')).optional(),
    volumes: z.array(z.string().regex(/^[^:]+:\/[^:]*(:ro)?$/)).optional(),
    depends_on: z
      .record(
        z.string(),
        z.object({ condition: z.enum(['service_started', 'service_healthy', 'service_completed_successfully']) }).strict(),
      )
      .optional(),
    healthcheck: healthcheckSchema.optional(),
    user: z
      .string()
      .regex(/^\d+:\d+$/)
      .optional(),
    read_only: z.boolean().optional(),
    cap_drop: z.array(z.string()).optional(),
    security_opt: z.array(z.string()).optional(),
    tmpfs: z.array(z.string()).optional(),
    stop_grace_period: duration.optional(),
  })
  .strict();
const composeSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/),
    services: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), serviceSchema),
    volumes: z.record(z.string(), z.null()),
  })
  .strict();
type Compose = z.infer<typeof composeSchema>;

/** The compose file as Compose reads it: anchors and merge keys resolved, x- extension fields set aside. */
function loadCompose(): Compose {
  const raw = parse(readFileSync(join(COMPOSE_DIR, 'compose.yaml'), 'utf8'), { merge: true }) as Record<string, unknown>;
  const withoutExtensions = Object.fromEntries(Object.entries(raw).filter(([key]) => !key.startsWith('x-')));
  const parsed = composeSchema.safeParse(withoutExtensions);
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n'));
  return parsed.data;
}

/** ${VAR}, ${VAR:-default} and ${VAR:?message} as Compose interpolates them, from `vars`. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const set = vars[name];
    if (set !== undefined && set !== '') return set;
    if (op === '?') throw new Error(`${name} is required: ${arg}`);
    return op === '-' ? (arg ?? '') : '';
  });
}

const EXAMPLE_ENV: Record<string, string> = {
  PAC_POSTGRES_PASSWORD: 'example-postgres-password',
  PAC_MLFLOW_DB_PASSWORD: 'example-mlflow-password',
  PAC_API_TOKENS: 'ci:0123456789abcdef01:read+propose',
  PAC_REVIEWERS: 'alice@example.com',
};

let work: string;
beforeAll(async () => {
  await installTools(config, ['compose-check']);
  work = await mkdtemp(join(tmpdir(), 'pac-compose-'));
}, 600_000);
afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('infra/compose/compose.yaml', () => {
  const compose = loadCompose();
  const services = compose.services;

  it("is a valid Compose project for Docker Compose's own loader (schema, interpolation, references)", async () => {
    const envFile = join(work, 'example.env');
    await writeFile(
      envFile,
      Object.entries(EXAMPLE_ENV)
        .map(([k, v]) => `${k}=${v}\n`)
        .join(''),
    );
    const file = join(COMPOSE_DIR, 'compose.yaml');
    const loaded = await exec(tools.composeCheck, [file, envFile]);
    expect(loaded.stderr).toBe('');
    expect(loaded.stdout.trim().split('\n')).toEqual(Object.keys(services).sort());
    // the same loader refuses a key the specification does not have, and a missing required secret
    const broken = join(work, 'compose', 'compose.yaml');
    await cp(COMPOSE_DIR, join(work, 'compose'), { recursive: true });
    await writeFile(broken, readFileSync(file, 'utf8').replace('    stop_grace_period: 2m\n', '    stop_grace_periods: 2m\n'));
    const refused = await exec(tools.composeCheck, [broken, envFile]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/stop_grace_periods/);
    const noSecrets = join(work, 'empty.env');
    await writeFile(noSecrets, '');
    const missing = await exec(tools.composeCheck, [file, noSecrets]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(
      /required variable PAC_POSTGRES_PASSWORD is missing a value: set PAC_POSTGRES_PASSWORD in infra\/compose\/\.env/,
    );
  });

  it('has the engines, the API and one worker per task queue', () => {
    expect(Object.keys(services).sort()).toEqual(
      ['api', 'mlflow', 'postgresql', 'temporal', 'temporal-ui', 'weaviate', ...QUEUES.map((q) => `worker-${q}`)].sort(),
    );
    expect(services.api?.command).toEqual(['serve']);
    for (const queue of QUEUES) {
      const command = services[`worker-${queue}`]?.command ?? [];
      expect(command.slice(0, 3)).toEqual(['worker', '--queues', queue]);
      expect(command[3]).toBe('--concurrency');
    }
    // Temporal and MLflow on PostgreSQL; MLflow serving artifacts from a volume or an S3-compatible store
    expect(services.temporal?.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    const mlflow = services.mlflow?.command?.join(' ') ?? '';
    expect(mlflow).toMatch(/--backend-store-uri postgresql:\/\/mlflow:\$\{PAC_MLFLOW_DB_PASSWORD:\?[^}]*\}@postgresql:5432\/mlflow/);
    expect(mlflow).toMatch(/--artifacts-destination \$\{PAC_MLFLOW_ARTIFACTS_DESTINATION:-\/mlflow\/artifacts\} --serve-artifacts/);
    expect(services.mlflow?.environment).toHaveProperty('MLFLOW_S3_ENDPOINT_URL');
  });

  it('resolves every reference: depends_on targets are services with a healthcheck, named volumes are declared, bind mounts exist', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const [target, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect(services, `${name} depends on ${target}`).toHaveProperty(target);
        if (condition === 'service_healthy')
          expect(services[target]?.healthcheck, `${target} needs a healthcheck for ${name}`).toBeDefined();
      }
      for (const volume of service.volumes ?? []) {
        const source = volume.split(':')[0] as string;
        if (source.startsWith('./')) expect(existsSync(join(COMPOSE_DIR, source)), `${name}: ${source}`).toBe(true);
        else expect(compose.volumes, `${name}: volume ${source}`).toHaveProperty(source);
      }
      if (service.build)
        expect(existsSync(join(COMPOSE_DIR, service.build.context, service.build.dockerfile)), `${name}: build`).toBe(true);
    }
    for (const name of ['api', 'temporal', 'mlflow', 'weaviate', 'postgresql']) expect(services[name]?.healthcheck, name).toBeDefined();
  });

  it('the product containers are hardened: non-root, read-only root, no capabilities, no new privileges', () => {
    for (const name of ['api', ...QUEUES.map((q) => `worker-${q}`)]) {
      expect(services[name], name).toMatchObject({
        user: '10001:10001',
        read_only: true,
        cap_drop: ['ALL'],
        security_opt: ['no-new-privileges:true'],
        tmpfs: [expect.stringMatching(/^\/tmp:/)],
        volumes: ['pac-state:/var/lib/pac'],
      });
    }
  });

  it('every PAC_* variable is one infra/config.ts reads, secrets come only from the environment file, and each product service loads a valid configuration', () => {
    const known = new Set(Object.keys(envSchema.shape));
    for (const name of ['api', ...QUEUES.map((q) => `worker-${q}`)]) {
      const env = services[name]?.environment ?? {};
      expect(
        Object.keys(env).filter((k) => k.startsWith('PAC_') && !known.has(k)),
        name,
      ).toEqual([]);
      for (const secret of SECRET_VARIABLES) {
        if (secret in env) expect(env[secret], `${name}: ${secret} must come from .env`).toMatch(new RegExp(`^\\$\\{${secret}(:-)?\\}$`));
      }
      const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, interpolate(v, EXAMPLE_ENV)]));
      const parsed = loadConfig({ HOME: '/tmp', ...resolved });
      expect(parsed.temporal.address).toBe('temporal:7233');
      expect(parsed.mlflow.uri).toBe('http://mlflow:5000');
      expect(parsed.weaviate).toMatchObject({ url: 'http://weaviate:8080', grpcPort: 50051 });
      expect(parsed.api.tokens.map((t) => t.name)).toEqual(['ci']);
    }
    const api = Object.fromEntries(Object.entries(services.api?.environment ?? {}).map(([k, v]) => [k, interpolate(v, EXAMPLE_ENV)]));
    expect(loadConfig({ HOME: '/tmp', ...api }).api).toMatchObject({ host: '0.0.0.0', port: 8787 });
    // the example environment file names every variable the compose file requires or passes through
    const example = readFileSync(join(COMPOSE_DIR, '.env.example'), 'utf8');
    const text = readFileSync(join(COMPOSE_DIR, 'compose.yaml'), 'utf8');
    const required = [...text.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1] as string);
    for (const variable of new Set(required)) expect(example, variable).toMatch(new RegExp(`^${variable}=`, 'm'));
    expect(() => interpolate(text, {})).toThrow(/PAC_POSTGRES_PASSWORD is required/);
  });

  it('pins the engine versions of infra/versions.json', () => {
    expect(services.weaviate?.image).toBe(`cr.weaviate.io/semitechnologies/weaviate:${versions.weaviate.version.replace(/^v/, '')}`);
    const mlflowDockerfile = readFileSync(join(COMPOSE_DIR, 'mlflow.Dockerfile'), 'utf8');
    expect(mlflowDockerfile).toMatch(new RegExp(`^ARG MLFLOW_VERSION=${versions.mlflow.version.replaceAll('.', '\\.')}$`, 'm'));
  });

  it('the PostgreSQL init script is valid sh and creates the MLflow role and database', () => {
    const script = join(COMPOSE_DIR, 'postgres-init.sh');
    execFileSync('sh', ['-n', script]);
    const text = readFileSync(script, 'utf8');
    expect(text).toMatch(/CREATE ROLE mlflow LOGIN PASSWORD :'password';/);
    expect(text).toMatch(/CREATE DATABASE mlflow OWNER mlflow;/);
  });
});

describe('infra/Dockerfile (static: no container engine here)', () => {
  const dockerfile = readFileSync(join(ROOT, 'infra/Dockerfile'), 'utf8');
  const instructions = dockerfile
    .replace(/\\\n/g, ' ')
    .split('\n')
    .filter((line) => line.trim() && !line.trim().startsWith('#'));

  it('builds opa at the pinned version from the Go module proxy and runs pac as a non-root user', () => {
    expect(dockerfile).toMatch(new RegExp(`^ARG OPA_VERSION=${versions.opa.version}$`, 'm'));
    expect(dockerfile).toMatch(/go install github\.com\/open-policy-agent\/opa@\$\{OPA_VERSION\}/);
    const node = /^ARG NODE_IMAGE=node:(\d+)-/m.exec(dockerfile)?.[1];
    const engines = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).engines.node as string;
    expect(engines).toMatch(new RegExp(`^>=${node}\\.`));
    const values = parse(readFileSync(join(ROOT, 'infra/helm/kube-pac-copilot/values.yaml'), 'utf8')) as {
      podSecurityContext: { runAsUser: number; runAsGroup: number };
    };
    expect(instructions.filter((l) => l.startsWith('USER '))).toEqual([
      `USER ${values.podSecurityContext.runAsUser}:${values.podSecurityContext.runAsGroup}`,
    ]);
    expect(instructions.find((l) => l.startsWith('ENTRYPOINT'))).toBe('ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/pac.js"]');
  });

  it('copies only what exists, builds dist/ at image build time and sets only known PAC_* variables', () => {
    for (const line of instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from='))) {
      for (const source of line.split(/\s+/).slice(1, -1)) expect(existsSync(join(ROOT, source)), line).toBe(true);
    }
    expect(dockerfile).toMatch(/RUN node infra\/build\.mjs --force/);
    const known = new Set(Object.keys(envSchema.shape));
    const env = instructions.filter((l) => l.startsWith('ENV ')).join(' ');
    const pac = [...env.matchAll(/\b(PAC_[A-Z0-9_]+)=/g)].map((m) => m[1] as string);
    expect(pac.length).toBeGreaterThan(3);
    expect(pac.filter((v) => !known.has(v))).toEqual([]);
    const ignore = readFileSync(join(ROOT, 'infra/Dockerfile.dockerignore'), 'utf8').split('\n');
    for (const entry of ['node_modules', 'dist', '.git']) expect(ignore).toContain(entry);
  });
});
