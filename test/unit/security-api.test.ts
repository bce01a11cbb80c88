/**
 * Access control of the HTTP API without engines (app.inject): every route's scope (and the
 * OpenAPI document showing it), authentication before the body is read, 403 for a missing scope,
 * four-eyes on approvals (through the DraftsBackend seam), and the log channel: secrets and PII
 * planted in requests never reach a response or a log line.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { DraftStatus } from '../../activities/drafting/schemas';
import type { DraftsBackend } from '../../api/backends';
import { sanitiseLogLine } from '../../api/log';
import { buildApp } from '../../api/server';
import { loadConfig } from '../../infra/config';
import { secretRedactor } from '../../lib/redact';

const TOKENS = {
  reader: 'reader-token-0123456789',
  proposer: 'proposer-token-0123456789',
  approver: 'approver-token-0123456789',
  alice: 'alice-token-0123456789abcd',
  admin: 'admin-token-0123456789',
  legacy: 'legacy-token-0123456789',
};
const ENV = {
  HOME: '/tmp/pac-unit-home',
  PAC_API_TOKENS: [
    `reader:${TOKENS.reader}:read`,
    `proposer:${TOKENS.proposer}:propose`,
    `approver:${TOKENS.approver}:approve`,
    `alice:${TOKENS.alice}:read+propose+approve`,
    `root:${TOKENS.admin}:admin`,
    `legacy:${TOKENS.legacy}`,
  ].join(','),
};
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** The documented decision: what each route needs. */
const EXPECTED_SCOPES: Record<string, string> = {
  'GET /healthz': 'public',
  'GET /readyz': 'public',
  'POST /v1/analyze': 'read',
  'GET /v1/models': 'read',
  'GET /v1/drift': 'read',
  'POST /v1/documents': 'propose',
  'POST /v1/documents/upload': 'propose',
  'GET /v1/documents': 'read',
  'POST /v1/query': 'read',
  'POST /v1/propose': 'propose',
  'GET /v1/drafts/:id': 'read',
  'POST /v1/drafts/:id/approve': 'approve',
  'POST /v1/drafts/:id/reject': 'approve',
  'POST /v1/autofix': 'propose',
  'POST /v1/troubleshoot': 'read',
  'POST /v1/ci-log': 'read',
  'POST /v1/lint': 'read',
  'POST /v1/feedback': 'propose',
  // no bearer token of PAC_API_TOKENS: the Kubernetes API server authenticates with PAC_ADMISSION_TOKEN or a client certificate (api/admission-auth.ts)
  'POST /v1/admission/validate': 'public',
};

const status = (requester: string, phase = 'awaiting-approval'): DraftStatus =>
  ({
    draftId: 'draft-0123456789ab',
    phase,
    request: { intent: 'Pods must not define hostAliases', examples: { deny: [], allow: [] }, severity: 'medium', requester },
    provenance: [],
    attempts: [],
    refusedSignals: [],
    reasons: [],
  }) as unknown as DraftStatus;

/** The drafting seam in memory: one draft proposed by whoever proposed it, decided by whoever decides. */
function memoryDrafts(): DraftsBackend & { decisions: string[] } {
  let requester = 'nobody';
  const decisions: string[] = [];
  return {
    decisions,
    propose: async (_request, by) => {
      requester = by;
      return { draftId: 'draft-0123456789ab', runId: 'run-1', joined: false };
    },
    get: async () => status(requester),
    approve: async (_id, reviewer) => {
      decisions.push(`approve:${reviewer}`);
      return status(requester, 'published');
    },
    reject: async (_id, reviewer) => {
      decisions.push(`reject:${reviewer}`);
      return status(requester, 'rejected');
    },
  };
}

async function withApp<T>(
  env: Record<string, string>,
  work: (built: Awaited<ReturnType<typeof buildApp>>) => Promise<T>,
  drafts?: DraftsBackend,
) {
  const built = await buildApp({ config: loadConfig(env), log: false, processMetrics: false, ...(drafts ? { drafts } : {}) });
  try {
    return await work(built);
  } finally {
    await built.close();
  }
}

const urlOf = (url: string) => url.replace(':id', 'draft-0123456789ab');

describe('route scopes', () => {
  it('every route declares the scope of the documented decision', async () => {
    await withApp(ENV, async ({ routes }) => {
      const declared = Object.fromEntries(
        routes.filter((r) => !r.hidden && r.method !== 'HEAD').map((r) => [`${r.method} ${r.url}`, r.scope]),
      );
      expect(declared).toEqual(EXPECTED_SCOPES);
      expect(routes.find((r) => r.url === '/metrics')?.scope).toBe('public');
    });
  });

  it('the OpenAPI document shows each operation’s bearer requirement and scope', async () => {
    await withApp(ENV, async ({ app }) => {
      const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
      expect(doc.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
      for (const [key, scope] of Object.entries(EXPECTED_SCOPES)) {
        const [method, url] = key.split(' ') as [string, string];
        const operation = doc.paths[url.replace(':id', '{id}')][method.toLowerCase()];
        if (scope === 'public') {
          expect(operation.security, key).toBeUndefined();
          continue;
        }
        expect(operation.security, key).toEqual([{ bearer: [] }]);
        expect(operation['x-required-scope'], key).toBe(scope);
        expect(operation.description, key).toContain(`scope \`${scope}\``);
        expect(Object.keys(operation.responses), key).toEqual(expect.arrayContaining(['401', '403']));
      }
    });
  });

  it('a route registered without a scope is refused', async () => {
    await withApp(ENV, async ({ app }) => {
      expect(() => app.get('/v1/unscoped', { schema: { response: { 200: z.object({}) } } }, async () => ({}))).toThrow(
        /declares the scope it needs/,
      );
    });
  });
});

describe('authentication before parsing', () => {
  const bodies = ['{"broken": ', '{"question": 42}', 'x'.repeat(2000), '{}'];

  it('answers 401 without validation details whatever the body, on every protected route', async () => {
    await withApp(ENV, async ({ app }) => {
      for (const [key, scope] of Object.entries(EXPECTED_SCOPES)) {
        if (scope === 'public') continue;
        const [method, url] = key.split(' ') as [string, string];
        for (const payload of method === 'GET' ? [undefined] : bodies) {
          for (const headers of [{}, bearer('not-a-valid-token-at-all')]) {
            const got = await app.inject({
              method: method as 'GET' | 'POST',
              url: urlOf(url),
              headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
              ...(payload === undefined ? {} : { payload }),
            });
            expect(got.statusCode, `${key} ${String(payload).slice(0, 10)}`).toBe(401);
            const error = got.json().error;
            expect(error.code).toBe('unauthorized');
            expect(error.details).toBeUndefined();
            expect(error.message).not.toMatch(/body|JSON|question|expected/);
            expect(got.headers['www-authenticate']).toContain('Bearer');
          }
        }
      }
    });
  });

  it('answers 401 on every protected route when the server has no tokens', async () => {
    await withApp({ HOME: ENV.HOME }, async ({ app }) => {
      const got = await app.inject({ method: 'POST', url: '/v1/query', payload: { question: 'What is a pod?' } });
      expect(got.statusCode).toBe(401);
      expect(got.json().error.message).toMatch(/PAC_API_TOKENS/);
      expect((await app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    });
  });

  it('answers 403 naming the missing scope, and lets admin do everything', async () => {
    await withApp(
      ENV,
      async ({ app }) => {
        const tokenOf: Record<string, string[]> = {
          read: [TOKENS.proposer, TOKENS.approver],
          propose: [TOKENS.reader, TOKENS.approver],
          approve: [TOKENS.reader, TOKENS.proposer, TOKENS.legacy],
        };
        for (const [key, scope] of Object.entries(EXPECTED_SCOPES)) {
          if (scope === 'public') continue;
          const [method, url] = key.split(' ') as [string, string];
          for (const token of tokenOf[scope] ?? []) {
            const got = await app.inject({ method: method as 'GET' | 'POST', url: urlOf(url), headers: bearer(token), payload: {} });
            expect(got.statusCode, `${key} with ${token}`).toBe(403);
            expect(got.json().error.message).toContain(`needs the scope ${scope}`);
          }
          const admin = await app.inject({ method: method as 'GET' | 'POST', url: urlOf(url), headers: bearer(TOKENS.admin), payload: {} });
          expect([401, 403], key).not.toContain(admin.statusCode);
        }
      },
      memoryDrafts(),
    );
  });
});

describe('four-eyes on the API', () => {
  const propose = { intent: 'Pods must not define hostAliases, ever' };

  it('refuses the requester’s own approval, accepts another reviewer’s', async () => {
    const drafts = memoryDrafts();
    await withApp(
      ENV,
      async ({ app }) => {
        expect((await app.inject({ method: 'POST', url: '/v1/propose', headers: bearer(TOKENS.alice), payload: propose })).statusCode).toBe(
          202,
        );
        const own = await app.inject({
          method: 'POST',
          url: '/v1/drafts/draft-0123456789ab/approve',
          headers: bearer(TOKENS.alice),
          payload: {},
        });
        expect(own.statusCode).toBe(403);
        expect(own.json().error.message).toMatch(/four-eyes: "alice" proposed draft-0123456789ab/);
        expect(drafts.decisions).toEqual([]);
        const other = await app.inject({
          method: 'POST',
          url: '/v1/drafts/draft-0123456789ab/approve',
          headers: bearer(TOKENS.approver),
          payload: {},
        });
        expect(other.statusCode).toBe(200);
        expect(drafts.decisions).toEqual(['approve:approver']);
        // withdrawing one's own draft is not an approval
        const reject = await app.inject({
          method: 'POST',
          url: '/v1/drafts/draft-0123456789ab/reject',
          headers: bearer(TOKENS.alice),
          payload: { reason: 'withdrawn by the requester' },
        });
        expect(reject.statusCode).toBe(200);
      },
      drafts,
    );
  });

  it('lets the requester approve when PAC_FOUR_EYES=false', async () => {
    const drafts = memoryDrafts();
    await withApp(
      { ...ENV, PAC_FOUR_EYES: 'false' },
      async ({ app }) => {
        await app.inject({ method: 'POST', url: '/v1/propose', headers: bearer(TOKENS.alice), payload: propose });
        const own = await app.inject({
          method: 'POST',
          url: '/v1/drafts/draft-0123456789ab/approve',
          headers: bearer(TOKENS.alice),
          payload: {},
        });
        expect(own.statusCode).toBe(200);
        expect(drafts.decisions).toEqual(['approve:alice']);
      },
      drafts,
    );
  });
});

describe('secrets and PII in responses and logs', () => {
  it('never echoes a token or PII from a request into a response or a log line', async () => {
    const lines: string[] = [];
    const log = new Writable({
      write(chunk, _encoding, callback) {
        lines.push(String(chunk));
        callback();
      },
    });
    const built = await buildApp({ config: loadConfig(ENV), log, processMetrics: false });
    const outputs: string[] = [];
    try {
      const requests: { method: 'GET' | 'POST'; url: string; token: string; payload?: unknown }[] = [
        { method: 'GET', url: `/v1/${TOKENS.alice}/jane.doe@example.com`, token: TOKENS.alice },
        { method: 'GET', url: '/v1/models', token: `${TOKENS.admin}x` },
        { method: 'POST', url: '/v1/query', token: TOKENS.reader, payload: { question: `my key is ${TOKENS.admin}`, extra: 1 } },
        { method: 'POST', url: '/v1/query', token: TOKENS.reader, payload: `{"question": "call +1 415-555-0132 ${TOKENS.alice}` },
      ];
      for (const { method, url, token, payload } of requests) {
        const got = await built.app.inject({
          method,
          url,
          headers: { ...bearer(token), 'content-type': 'application/json' },
          ...(payload === undefined ? {} : { payload: payload as string }),
        });
        outputs.push(got.body, JSON.stringify(got.headers));
      }
    } finally {
      await built.close();
    }
    const everything = `${outputs.join('\n')}\n${lines.join('')}`;
    expect(lines.length).toBeGreaterThan(3);
    for (const token of Object.values(TOKENS)) expect(everything).not.toContain(token);
    expect(everything).not.toContain('jane.doe@example.com');
    expect(everything).not.toContain('415-555-0132');
    expect(lines.join('')).toContain('[REDACTED]');
  });

  it('masks inside JSON log lines without breaking them or numbers', () => {
    const redact = secretRedactor(['hunter2-secret-value']);
    const line = JSON.stringify({ time: 1733000000000, msg: 'user a@b.io sent hunter2-secret-value from 10.1.2.3', reqId: 'req-1' });
    const clean = JSON.parse(sanitiseLogLine(line, redact));
    expect(clean).toEqual({ time: 1733000000000, msg: 'user [EMAIL] sent [REDACTED] from [IP_ADDRESS]', reqId: 'req-1' });
    expect(sanitiseLogLine('plain hunter2-secret-value text', redact)).toBe('plain [REDACTED] text\n');
  });
});
