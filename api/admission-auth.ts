/**
 * HTTPS for `pac serve` and who may call the admission webhook.
 *
 * TLS: PAC_API_TLS_CERT and PAC_API_TLS_KEY (PEM files) turn the whole API to HTTPS; a file that
 * cannot be read, is not PEM or does not match its key stops the server with the variable named.
 *
 * The Kubernetes API server calls a webhook without our bearer tokens, so the admission route has
 * its own authentication, checked in onRequest before the body is read:
 *   - PAC_ADMISSION_TOKEN: `Authorization: Bearer <token>` (the `token:` of the kubeconfig the API
 *     server's AdmissionConfiguration names for this webhook), compared in constant time;
 *   - PAC_ADMISSION_CLIENT_CA: a TLS client certificate signed by that CA (the kubeconfig's
 *     client-certificate); the server asks for one but lets other routes go on without it;
 *   - with both, either one is enough;
 *   - with neither: the route answers only over HTTPS (what the API server requires anyway), and
 *     as anyone who reaches the port can call it, the calls are not recorded as observations (so an
 *     unauthenticated caller cannot feed the models' training data); over plain HTTP it refuses.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { createSecureContext } from 'node:tls';
import type { FastifyRequest } from 'fastify';
import type { Config } from '../infra/config';
import { ApiError } from './errors';

export interface HttpsOptions {
  cert: Buffer;
  key: Buffer;
  ca?: Buffer;
  requestCert?: boolean;
  rejectUnauthorized?: boolean;
}

/** A TLS file that cannot be used: names the variable and the file, never its content. */
export class TlsConfigError extends Error {
  override name = 'TlsConfigError';
}

function readPem(variable: string, file: string, what: string): Buffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new TlsConfigError(`${variable}: cannot read ${file} (${code}); expected a PEM file with ${what}`);
  }
  if (!bytes.toString('latin1').includes('-----BEGIN '))
    throw new TlsConfigError(`${variable}: ${file} is not a PEM file (expected ${what})`);
  return bytes;
}

/** The https options of the API server from the configuration, or undefined for plain HTTP. */
export function httpsOptions(config: Pick<Config, 'api'>): HttpsOptions | undefined {
  const tls = config.api.tls;
  if (!tls) return undefined;
  const cert = readPem('PAC_API_TLS_CERT', tls.certFile, 'the server certificate');
  const key = readPem('PAC_API_TLS_KEY', tls.keyFile, 'the private key');
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new TlsConfigError(
      `PAC_API_TLS_CERT / PAC_API_TLS_KEY: ${tls.certFile} and ${tls.keyFile} cannot be used together (${(error as Error).message})`,
    );
  }
  const caFile = config.api.admission.clientCaFile;
  if (!caFile) return { cert, key };
  const ca = readPem('PAC_ADMISSION_CLIENT_CA', caFile, 'the CA certificate that signs the API server client certificate');
  // ask every client for a certificate, refuse none at the TLS layer: only the admission route needs one
  return { cert, key, ca, requestCert: true, rejectUnauthorized: false };
}

const digest = (text: string) => createHash('sha256').update(text).digest();

export interface AdmissionCaller {
  /** how the caller was recognised */
  via: 'token' | 'client-certificate' | 'tls';
  /** whether what it sends may be recorded (not for callers nobody authenticated) */
  trusted: boolean;
}

/** The authentication of the admission route (see the module comment). */
export class AdmissionAuth {
  private readonly token?: Buffer;
  private readonly clientCa: boolean;

  constructor(config: Pick<Config, 'api'>) {
    const { token, clientCaFile } = config.api.admission;
    this.token = token ? digest(token) : undefined;
    this.clientCa = Boolean(clientCaFile);
  }

  /** Which scheme applies, for the start-up message. */
  describe(tls: boolean): string {
    const ways = [this.token ? 'PAC_ADMISSION_TOKEN' : '', this.clientCa ? 'a client certificate (PAC_ADMISSION_CLIENT_CA)' : ''].filter(
      Boolean,
    );
    if (ways.length) return `admission webhook: callers authenticate with ${ways.join(' or ')}`;
    return tls
      ? 'admission webhook: open to any HTTPS caller (set PAC_ADMISSION_TOKEN or PAC_ADMISSION_CLIENT_CA to authenticate the API server); its calls are not recorded'
      : 'admission webhook: disabled over plain HTTP (set PAC_API_TLS_CERT/PAC_API_TLS_KEY, PAC_ADMISSION_TOKEN or PAC_ADMISSION_CLIENT_CA)';
  }

  /** Who the caller is, or a 401 saying what is missing. */
  authenticate(request: Pick<FastifyRequest, 'headers' | 'raw'>): AdmissionCaller {
    const socket = request.raw.socket as Partial<TLSSocket>;
    const encrypted = socket.encrypted === true;
    if (this.token) {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      if (match && timingSafeEqual(this.token, digest(match[1] as string))) return { via: 'token', trusted: true };
    }
    if (this.clientCa && encrypted && socket.authorized === true && socket.getPeerCertificate?.()?.subject)
      return { via: 'client-certificate', trusted: true };
    if (!this.token && !this.clientCa) {
      if (encrypted) return { via: 'tls', trusted: false };
      throw new ApiError(
        'unauthorized',
        'the admission webhook answers over HTTPS only (set PAC_API_TLS_CERT and PAC_API_TLS_KEY) unless PAC_ADMISSION_TOKEN or PAC_ADMISSION_CLIENT_CA authenticates the caller',
      );
    }
    const wanted = [
      this.token ? 'Authorization: Bearer <PAC_ADMISSION_TOKEN>' : '',
      this.clientCa ? 'a client certificate signed by PAC_ADMISSION_CLIENT_CA' : '',
    ]
      .filter(Boolean)
      .join(' or ');
    throw new ApiError('unauthorized', `the admission webhook needs ${wanted}`);
  }
}
