/**
 * Bearer-token authentication for mutating routes. Tokens come from PAC_API_TOKENS
 * ("name:token,…"); the name is the caller's identity (it becomes the reviewer on approvals).
 * Tokens are compared through their SHA-256 digests in constant time.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors';

export interface Principal {
  name: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

const digest = (text: string) => createHash('sha256').update(text).digest();

export class TokenAuth {
  private readonly entries: { name: string; digest: Buffer }[];

  constructor(tokens: readonly { name: string; token: string }[]) {
    this.entries = tokens.map((t) => ({ name: t.name, digest: digest(t.token) }));
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
      if (timingSafeEqual(entry.digest, given)) found = { name: entry.name };
    }
    return found;
  }

  /** A preHandler that rejects the request with 401 unless it carries a valid token. */
  required() {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      if (!this.configured) {
        throw new ApiError('unauthorized', 'this route needs a bearer token and the server has none configured (set PAC_API_TOKENS)');
      }
      const principal = this.identify(request.headers.authorization);
      if (!principal) {
        void reply.header('www-authenticate', 'Bearer realm="pac"');
        throw new ApiError(
          'unauthorized',
          request.headers.authorization ? 'the bearer token is not valid' : 'missing Authorization: Bearer <token> header',
        );
      }
      request.principal = principal;
    };
  }
}
