/**
 * The HTTPS and admission-webhook part of the configuration (read by infra/config.ts into
 * `config.api.tls` and `config.api.admission`; api/admission*.ts use them).
 */
import { resolve } from 'node:path';
import { z } from 'zod';

const optionalPath = z
  .string()
  .optional()
  .transform((value) => (value ? resolve(value) : undefined));

export const ADMISSION_ENV = {
  /** HTTPS for `pac serve`: PEM files of the server certificate (chain) and its private key (both or neither) */
  PAC_API_TLS_CERT: optionalPath,
  PAC_API_TLS_KEY: optionalPath,
  /** the admission webhook (POST /v1/admission/validate): enforce denies, audit only records and warns */
  PAC_ADMISSION_MODE: z.enum(['enforce', 'audit'], { error: 'expected enforce or audit' }).default('enforce'),
  /** findings at or above this severity deny the request; lower ones come back as warnings */
  PAC_ADMISSION_DENY_SEVERITY: z
    .enum(['low', 'medium', 'high', 'critical'], { error: 'expected low, medium, high or critical' })
    .default('high'),
  /** what the webhook evaluates: bundle names and/or policy ids, comma-separated */
  PAC_ADMISSION_POLICIES: z.string().default('pss-baseline,rbac'),
  /** a parameters file (YAML/JSON, `<policy id>: {<parameter>: value}`) for the webhook */
  PAC_ADMISSION_PARAMS: optionalPath,
  /**
   * the other cluster objects cross-object policies read at admission (an inventory document or
   * manifests, a file or a directory: e.g. a periodic `kubectl get … -o yaml` dump); default none:
   * those policies judge nothing
   */
  PAC_ADMISSION_INVENTORY: optionalPath,
  /** the bearer token the Kubernetes API server sends (the `token:` of its AdmissionConfiguration kubeconfig) */
  PAC_ADMISSION_TOKEN: z.string().min(16, { error: 'expected a token of at least 16 characters' }).optional(),
  /** PEM CA: the API server's TLS client certificate must be signed by it (needs PAC_API_TLS_CERT) */
  PAC_ADMISSION_CLIENT_CA: optionalPath,
};

type AdmissionEnv = z.infer<z.ZodObject<typeof ADMISSION_ENV>>;

/** `config.api.tls` and `config.api.admission`. */
export function admissionConfig(env: AdmissionEnv) {
  return {
    tls: env.PAC_API_TLS_CERT && env.PAC_API_TLS_KEY ? { certFile: env.PAC_API_TLS_CERT, keyFile: env.PAC_API_TLS_KEY } : undefined,
    admission: {
      mode: env.PAC_ADMISSION_MODE,
      denySeverity: env.PAC_ADMISSION_DENY_SEVERITY,
      policies: env.PAC_ADMISSION_POLICIES.split(',')
        .map((p) => p.trim())
        .filter(Boolean),
      paramsFile: env.PAC_ADMISSION_PARAMS,
      inventoryFile: env.PAC_ADMISSION_INVENTORY,
      token: env.PAC_ADMISSION_TOKEN,
      clientCaFile: env.PAC_ADMISSION_CLIENT_CA,
    },
  };
}

/** Problems between these variables. */
export function admissionChecks(env: AdmissionEnv): { variable: string; message: string }[] {
  const problems: { variable: string; message: string }[] = [];
  if (Boolean(env.PAC_API_TLS_CERT) !== Boolean(env.PAC_API_TLS_KEY))
    problems.push({
      variable: env.PAC_API_TLS_CERT ? 'PAC_API_TLS_KEY' : 'PAC_API_TLS_CERT',
      message: 'HTTPS needs both PAC_API_TLS_CERT and PAC_API_TLS_KEY (the server certificate and its key)',
    });
  if (env.PAC_ADMISSION_CLIENT_CA && !env.PAC_API_TLS_CERT)
    problems.push({
      variable: 'PAC_ADMISSION_CLIENT_CA',
      message: 'client certificates need HTTPS: set PAC_API_TLS_CERT and PAC_API_TLS_KEY too',
    });
  return problems;
}
