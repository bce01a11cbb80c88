/**
 * The parameters file: one YAML (or JSON) mapping `<policy id>: {<parameter>: value}` that
 * `pac analyze --params`, the API, the admission route and the Gatekeeper export all read through
 * `loadParams`. Each policy's parameters are validated with the JSON schema in its policy.yaml
 * (converted to zod), so a bad value fails with the file, the line, the policy and the parameter:
 *
 *   params.yaml:4: policy "pss-host-ports", parameter "allowed_host_ports"[1]: Invalid input
 *
 * The values become data.kpc.params (`paramsDataDocument`), where the policies read them with
 * k8s.param(policy, name, default); a parameter that is not set keeps the default of policy.yaml.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DatasetError, loadPolicyIndex, parseYamlRecord } from './load';
import type { PolicyMeta } from './schemas';

/** data.kpc.params: policy id → parameter → value. */
export type PolicyParams = Record<string, Record<string, unknown>>;

/** The zod schema of a parameters file for this corpus: known policies only, each value checked with the policy's parameter schema. */
export function paramsFileSchema(index: PolicyMeta[] = loadPolicyIndex()): z.ZodType<PolicyParams> {
  const byId = new Map(index.map((meta) => [meta.id, meta]));
  const schemas = new Map(
    index.flatMap((meta) => (meta.parameterSchema ? [[meta.id, z.fromJSONSchema(meta.parameterSchema as never)] as const] : [])),
  );
  return z.record(z.string(), z.unknown()).superRefine((file, ctx) => {
    for (const [id, value] of Object.entries(file)) {
      const meta = byId.get(id);
      if (!meta) {
        ctx.addIssue({ code: 'custom', path: [id], message: `unknown policy "${id}" (see datasets/policies/index.jsonl)` });
        continue;
      }
      const schema = schemas.get(id);
      if (!schema) {
        ctx.addIssue({ code: 'custom', path: [id], message: `policy "${id}" has no parameters` });
        continue;
      }
      const parsed = schema.safeParse(value ?? {});
      if (parsed.success) continue;
      for (const issue of parsed.error.issues) {
        const known = meta.parameters.map((p) => p.name).join(', ');
        const unknownKeys = issue.code === 'unrecognized_keys' ? issue.keys : [];
        if (unknownKeys.length) {
          for (const key of unknownKeys) ctx.addIssue({ code: 'custom', path: [id, key], message: `unknown parameter (known: ${known})` });
        } else {
          ctx.addIssue({ code: 'custom', path: [id, ...issue.path] as PropertyKey[], message: issue.message });
        }
      }
    }
  }) as unknown as z.ZodType<PolicyParams>;
}

/** "policy "x", parameter "y"[0].z" for an issue path [x, y, 0, z]. */
function describeParamPath(path: readonly PropertyKey[]): string {
  const [policy, parameter, ...rest] = path.map(String);
  if (parameter === undefined) return `policy "${policy}"`;
  const tail = rest.map((key) => (/^\d+$/.test(key) ? `[${key}]` : `.${key}`)).join('');
  return `policy "${policy}", parameter "${parameter}"${tail}`;
}

/** Validates the text of a parameters file; `file` names it in errors. */
export function parseParams(text: string, file = '<params>', index: PolicyMeta[] = loadPolicyIndex()): PolicyParams {
  const params = parseYamlRecord(paramsFileSchema(index), text, file, describeParamPath);
  if (params === null || typeof params !== 'object' || Array.isArray(params))
    throw new DatasetError(file, [`${file}:1: expected a mapping of policy id to parameters`]);
  return Object.fromEntries(Object.entries(params).map(([id, value]) => [id, (value ?? {}) as Record<string, unknown>]));
}

/** Reads and validates a parameters file (YAML or JSON). */
export function loadParams(file: string, index: PolicyMeta[] = loadPolicyIndex()): PolicyParams {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new DatasetError(file, [`cannot read the parameters file: ${(error as Error).message}`]);
  }
  return parseParams(text, file, index);
}

/** The data document OPA reads the parameters from: `{"kpc": {"params": …}}`. */
export function paramsDataDocument(params: PolicyParams): { kpc: { params: PolicyParams } } {
  return { kpc: { params } };
}

/** Every parameter of a policy with its effective value: the file's value, else the default of policy.yaml. */
export function effectiveParams(meta: PolicyMeta, params: PolicyParams = {}): Record<string, unknown> {
  const set = params[meta.id] ?? {};
  return Object.fromEntries(meta.parameters.map((p) => [p.name, p.name in set ? set[p.name] : p.default]));
}
