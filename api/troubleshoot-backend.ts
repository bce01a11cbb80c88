/**
 * The API's TroubleshootBackend on the troubleshooting activities (activities/troubleshooting):
 * POST /v1/troubleshoot (why a manifest is denied, the smallest denied manifest, verified fixes;
 * or the class of a denial text), POST /v1/autofix (verified patches applied, the YAML returned with
 * its comments and key order) and POST /v1/ci-log (root cause, fix and evidence lines).
 */
import { LineCounter, parseAllDocuments } from 'yaml';
import { llmProviderFromConfig } from '../activities/llm/chat';
import { troubleshootInProcess } from '../activities/troubleshooting';
import { autofixObject } from '../activities/troubleshooting/autofix';
import { analyseCiLog } from '../activities/troubleshooting/cilog';
import { classifyFailure } from '../activities/troubleshooting/classify';
import { applyPatchToDocument, styleOf } from '../activities/troubleshooting/yaml-patch';
import { loadPolicyIndex } from '../datasets/load';
import type { Config } from '../infra/config';
import { BackendError, type TroubleshootBackend } from './backends';

/** The objects of a YAML/JSON text with their documents; a broken one is an invalid_request naming the line. */
function parseObjects(text: string) {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter });
  if (!Array.isArray(docs)) throw new BackendError('invalid_request', 'body.manifest: not a YAML stream');
  const objects: { line: number; doc: (typeof docs)[number]; manifest: Record<string, unknown> }[] = [];
  for (const doc of docs) {
    const line = lineCounter.linePos(doc.range[0]).line;
    const error = doc.errors[0];
    if (error)
      throw new BackendError('invalid_request', `body.manifest:${error.linePos?.[0]?.line ?? line}: ${error.message.split('\n')[0]}`);
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value) || typeof value.kind !== 'string')
      throw new BackendError(
        'invalid_request',
        `body.manifest:${line}: not a Kubernetes object (expected a mapping with apiVersion, kind and metadata)`,
      );
    objects.push({ line, doc, manifest: value });
  }
  if (objects.length === 0) throw new BackendError('invalid_request', 'body.manifest: no Kubernetes object in the text');
  return { docs, objects };
}

function checkPolicy(policy: string | undefined): void {
  if (policy && !loadPolicyIndex().some((m) => m.id === policy))
    throw new BackendError('not_found', `body.policy: unknown policy "${policy}"`);
}

export function troubleshootBackend(config: Config): TroubleshootBackend {
  return {
    async troubleshoot(request) {
      if (!request.manifest) return { classification: classifyFailure(request.denial as string) };
      const { objects } = parseObjects(request.manifest);
      const results = [];
      for (const object of objects) {
        const result = await troubleshootInProcess(config, {
          manifest: object.manifest,
          ...(request.denial ? { failureText: request.denial } : {}),
        });
        results.push({ line: object.line, ...result });
      }
      return { results };
    },
    async autofix(request) {
      checkPolicy(request.policy);
      const { docs, objects } = parseObjects(request.manifest);
      const resources = [];
      for (const object of objects) {
        const outcome = await autofixObject(config, object.manifest, request.policy ? { policy: request.policy } : {});
        for (const patch of outcome.patches) applyPatchToDocument(object.doc, patch);
        const { fixed: _fixed, ...rest } = outcome;
        resources.push({ line: object.line, ...rest });
      }
      const changed = resources.some((r) => r.applied.length > 0);
      return { changed, manifest: docs.map((d) => d.toString(styleOf(request.manifest))).join(''), resources };
    },
    async ciLog(request) {
      try {
        return { ...(await analyseCiLog(request.log, { llm: llmProviderFromConfig(config) })) };
      } catch (error) {
        throw new BackendError('unprocessable', `body.log: ${(error as Error).message}`);
      }
    },
  };
}
