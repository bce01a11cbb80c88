/**
 * Bearer-token authentication and scopes. Tokens come from PAC_API_TOKENS
 * ("name:token:scope+scope,…"); the name is the caller's identity (the requester of drafts, the
 * reviewer of decisions). Every route declares the scope it needs in its `config.scope`
 * (`public` for health, metrics and the docs); one onRequest hook checks it before the body is
 * read, so an unauthenticated caller learns nothing about validation. Tokens are compared through
 * their SHA-256 digests in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type ApiScope, type ApiToken, scopeAllows } from '../infra/config';
import { ApiError } from './errors';

/** What a route needs: a scope of a token, or nothing. */
export type RouteScope = ApiScope | 'public';

export interface Principal {
  name: string;
  scopes: ApiScope[];
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
  interface FastifyContextConfig {
    /** the scope a token needs for this route; every documented route declares one */
    scope?: RouteScope;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

export class TokenAuth {
  private readonly entries: { principal: Principal; digest: Buffer }[];

  constructor(tokens: readonly ApiToken[]) {
    this.entries = tokens.map((t) => ({ principal: { name: t.name, scopes: [...t.scopes] }, digest: digest(t.token) }));
  }

  get configured(): boolean {
    return this.entries.length > 0;
  }

  /** The principal of a valid `Authorization: Bearer <token>` header, else undefined. */
  identify(header: string | undefined): Principal | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match) return undefined;
    const given = digest(match[1] as string);
    let found: Principal | undefined;
    for (const entry of this.entries) {
      // compare against every entry so timing does not tell which one matched
      if (timingSafeEqual(entry.digest, given)) found = entry.principal;
    }
    return found;
  }

  /** Who the request is, or why it may not go on: 401 without a valid token, 403 without the scope. */
  authorize(header: string | undefined, needed: ApiScope, what: string): Principal {
    if (!this.configured)
      throw new ApiError('unauthorized', 'this route needs a bearer token and the server has none configured (set PAC_API_TOKENS)');
    const principal = this.identify(header);
    if (!principal)
      throw new ApiError('unauthorized', header ? 'the bearer token is not valid' : 'missing Authorization: Bearer <token> header');
    if (!scopeAllows(principal.scopes, needed))
      throw new ApiError(
        'forbidden',
        `the token "${principal.name}" has the scopes ${principal.scopes.join('+')}; ${what} needs the scope ${needed} (or admin)`,
      );
    return principal;
  }

  /** The onRequest hook: runs before the body is parsed or validated. */
  hook() {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const scope = request.routeOptions.config?.scope ?? 'public';
      if (scope === 'public') return;
      try {
        request.principal = this.authorize(request.headers.authorization, scope, `${request.method} ${request.routeOptions.url}`);
      } catch (error) {
        if (error instanceof ApiError && error.code === 'unauthorized') void reply.header('www-authenticate', 'Bearer realm="pac"');
        throw error;
      }
    };
  }
}

/** What the OpenAPI document says of a route's scope (appended to its description). */
export function scopeDescription(scope: ApiScope): string {
  return `Needs \`Authorization: Bearer <token>\` with the scope \`${scope}\` (or \`admin\`).`;
}
