/**
 * The API's response schemas without engines: every documented route declares them, every object
 * in them is strict (open only where a user's manifest travels), the serializer refuses a response
 * with an unexpected key, and the OpenAPI document shows the real shapes.
 */
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import type { DraftStatus } from '../../activities/drafting/schemas';
import type { DraftsBackend } from '../../api/backends';
import { type ApiRoute, buildApp } from '../../api/server';
import { loadConfig } from '../../infra/config';

const env = { HOME: '/tmp/pac-unit-home', PAC_API_TOKENS: 'alice:alice-token-0123456789' };
const routeKey = (r: ApiRoute) => `${r.method} ${r.url}`;
/** alice's token (the old name:token form: scopes read and propose) */
const READER = { authorization: 'Bearer alice-token-0123456789' };

/** Where a response schema accepts what it does not describe: unknown values, loose objects (not descended into), stripping objects. */
function openPlaces(schema: z.core.$ZodType, path = ''): string[] {
  // biome-ignore lint/suspicious/noExplicitAny: walks zod's definitions, whose fields depend on the type
  const def = schema._zod.def as any;
  const inner = (field: string, suffix = '') => openPlaces(def[field], `${path}${suffix}`);
  switch (def.type) {
    case 'unknown':
    case 'any':
      return [path];
    case 'lazy':
      return [`${path} (lazy)`];
    case 'object':
      if (!def.catchall) return [`${path} (strips unknown keys)`];
      if (def.catchall._zod.def.type !== 'never') return [`${path} (loose)`];
      return Object.entries(def.shape as Record<string, z.core.$ZodType>).flatMap(([key, value]) => openPlaces(value, `${path}.${key}`));
    case 'array':
      return inner('element', '[]');
    case 'record':
      return inner('valueType', '{}');
    case 'union':
      return [...new Set((def.options as z.core.$ZodType[]).flatMap((option) => openPlaces(option, path)))];
    case 'pipe':
      return [...inner('in'), ...inner('out')];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'nonoptional':
    case 'catch':
      return inner('innerType');
    default:
      return [];
  }
}

const DRAFT_MANIFESTS = ['.detail.request.examples.deny[] (loose)', '.detail.request.examples.allow[] (loose)'];
const FIX_PATCH_VALUES = ['.fix.patch[].value', '.suggestion.patch[].value'];

/** The only open places: the user's manifests and the values copied from them. */
const MANIFEST_PLACES: Record<string, string[]> = {
  'GET /v1/drafts/:id': DRAFT_MANIFESTS,
  'POST /v1/drafts/:id/approve': DRAFT_MANIFESTS,
  'POST /v1/drafts/:id/reject': DRAFT_MANIFESTS,
  'POST /v1/troubleshoot': [
    '.results[].counterexample.minimal',
    '.results[].recommendation.fixes[].patch[].value',
    '.results[].recommendation.policyChanges[].params{}{}',
  ],
  'POST /v1/autofix': [`.resources[].applied[]${FIX_PATCH_VALUES[0]}`, `.resources[].unresolved[]${FIX_PATCH_VALUES[1]}`],
};

async function withApp<T>(drafts: DraftsBackend | undefined, work: (built: Awaited<ReturnType<typeof buildApp>>) => Promise<T>) {
  const built = await buildApp({ config: loadConfig(env), log: false, processMetrics: false, ...(drafts ? { drafts } : {}) });
  try {
    return await work(built);
  } finally {
    await built.close();
  }
}

describe('the route table', () => {
  it('documents a success and the error responses of every route, and hides only the docs and /metrics', async () => {
    await withApp(undefined, async ({ routes }) => {
      const documented = routes.filter((r) => !r.hidden);
      expect(documented.length).toBeGreaterThanOrEqual(14);
      for (const route of documented) {
        const statuses = Object.keys(route.response);
        expect(
          statuses.some((s) => s.startsWith('2')),
          routeKey(route),
        ).toBe(true);
        if (!route.url.endsWith('z')) expect(statuses, routeKey(route)).toEqual(expect.arrayContaining(['400', '429', '500', '503']));
      }
      const hidden = routes.filter((r) => r.hidden && !r.url.startsWith('/docs')).map(routeKey);
      expect(hidden).toEqual(['GET /metrics', 'HEAD /metrics']);
    });
  });

  it('refuses a route without response schemas when it is registered', async () => {
    await withApp(undefined, async ({ app }) => {
      expect(() => app.get('/v1/undocumented', async () => ({ ok: true }))).toThrow(/declares its response schemas/);
    });
  });

  it('has every object of every response strict, open only where a user manifest travels', async () => {
    await withApp(undefined, async ({ routes }) => {
      // HEAD routes are Fastify's copies of the GET routes, answered without a body
      for (const route of routes.filter((r) => !r.hidden && r.method !== 'HEAD')) {
        const open = [...new Set(Object.values(route.response).flatMap((schema) => openPlaces(schema)))].sort();
        expect(open, routeKey(route)).toEqual([...(MANIFEST_PLACES[routeKey(route)] ?? [])].sort());
      }
    });
  });
});

const draftStatus = (extra: Record<string, unknown> = {}): DraftStatus =>
  ({
    draftId: 'draft-0123456789ab',
    phase: 'retrieving',
    request: {
      intent: 'Pods must not define hostAliases',
      examples: { deny: [{ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x', labels: { app: 'x' } }, spec: {} }], allow: [] },
      severity: 'medium',
      requester: 'alice',
    },
    provenance: [{ policyId: 'pss-host-aliases', title: 'Host aliases', score: 0.5, kinds: ['Pod'] }],
    attempts: [],
    refusedSignals: [],
    reasons: [],
    ...extra,
  }) as DraftStatus;

/** A drafts backend whose GET answers `get(id)`. */
const fakeDrafts = (get: (id: string) => DraftStatus): DraftsBackend => ({
  propose: async () => ({ draftId: 'draft-0123456789ab', runId: 'run-1', joined: false }),
  get: async (id) => get(id),
  approve: async () => draftStatus(),
  reject: async () => draftStatus(),
});

describe('response serialization', () => {
  it('sends a response that matches its schema, manifests with any keys included', async () => {
    await withApp(
      fakeDrafts(() => draftStatus()),
      async ({ app }) => {
        const got = await app.inject({ method: 'GET', url: '/v1/drafts/draft-0123456789ab', headers: READER });
        expect(got.statusCode).toBe(200);
        expect(got.json()).toMatchObject({ id: 'draft-0123456789ab', state: 'retrieving', detail: { provenance: [{ score: 0.5 }] } });
        expect(got.json().detail.request.examples.deny[0].metadata.labels).toEqual({ app: 'x' });
        const started = await app.inject({
          method: 'POST',
          url: '/v1/propose',
          headers: { authorization: 'Bearer alice-token-0123456789' },
          payload: { intent: 'Pods must not define hostAliases' },
        });
        expect(started.statusCode).toBe(202);
        expect(started.json()).toEqual({ id: 'draft-0123456789ab', state: 'started', detail: { runId: 'run-1', joined: false } });
      },
    );
  });

  it('refuses (500, never strips) a response with an unexpected key, at the top or deep inside', async () => {
    const surprises: Record<string, DraftStatus> = {
      top: draftStatus({ surprise: 1 }),
      deep: draftStatus({ provenance: [{ policyId: 'p', title: 't', score: 1, kinds: [], surprise: 1 }] }),
      decision: draftStatus({ decision: { kind: 'approve', reviewer: 'bob', text: '', surprise: 1 } }),
    };
    await withApp(
      fakeDrafts((id) => surprises[id] ?? draftStatus()),
      async ({ app }) => {
        for (const id of Object.keys(surprises)) {
          const got = await app.inject({ method: 'GET', url: `/v1/drafts/${id}`, headers: READER });
          expect(got.statusCode, id).toBe(500);
          expect(got.json(), id).toEqual({
            error: { code: 'internal', message: 'the server produced a response that does not match its schema' },
          });
        }
      },
    );
  });
});

describe('the OpenAPI document', () => {
  it('shows the real shapes of the drafting and troubleshooting responses', async () => {
    await withApp(undefined, async ({ app }) => {
      const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
      const schemaOf = (path: string, method: string, status: string) =>
        doc.paths[path][method].responses[status].content['application/json'].schema;
      const draft = schemaOf('/v1/drafts/{id}', 'get', '200');
      expect(draft.additionalProperties).toBe(false);
      expect(Object.keys(draft.properties.detail.properties)).toEqual(
        expect.arrayContaining(['phase', 'request', 'attempts', 'draft', 'report']),
      );
      expect(draft.properties.detail.properties.attempts.items.properties.guardrails.additionalProperties).toBe(false);
      const troubleshoot = schemaOf('/v1/troubleshoot', 'post', '200');
      expect(troubleshoot.anyOf.map((o: { required: string[] }) => o.required)).toEqual([['results'], ['classification']]);
      expect(schemaOf('/v1/ci-log', 'post', '200').required).toEqual(expect.arrayContaining(['root_cause', 'evidence']));
      expect(schemaOf('/v1/autofix', 'post', '200').properties.resources.items.additionalProperties).toBe(false);
      expect(schemaOf('/v1/propose', 'post', '400').properties.error.properties.details.additionalProperties).toBe(false);
    });
  });
});
