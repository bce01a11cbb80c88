/**
 * The API's TroubleshootBackend on the troubleshooting activities (activities/troubleshooting):
 * POST /v1/troubleshoot (why a manifest is denied, the smallest denied manifest, verified fixes;
 * or the class of a denial text), POST /v1/autofix (verified patches applied, the YAML returned with
 * its comments and key order) and POST /v1/ci-log (root cause, fix and evidence lines).
 */
import { llmProviderFromConfig } from '../activities/llm/chat';
import { troubleshootInProcess } from '../activities/troubleshooting';
import { autofixText } from '../activities/troubleshooting/autofix';
import { analyseCiLog } from '../activities/troubleshooting/cilog';
import { classifyFailure } from '../activities/troubleshooting/classify';
import { loadPolicyIndex } from '../datasets/load';
import type { Config } from '../infra/config';
import { ManifestInputError, readManifestsStrict } from '../lib/manifest-stream';
import { BackendError, type TroubleshootBackend } from './backends';

/** The objects of a YAML/JSON text with their documents; a broken one is an invalid_request naming the line. */
function parseObjects(text: string) {
  try {
    return readManifestsStrict(text, 'body.manifest');
  } catch (error) {
    if (error instanceof ManifestInputError) throw new BackendError('invalid_request', error.message);
    throw error;
  }
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
          source: 'api',
          ...(request.denial ? { failureText: request.denial } : {}),
        });
        results.push({ line: object.line, ...result });
      }
      return { results };
    },
    async autofix(request) {
      checkPolicy(request.policy);
      try {
        const result = await autofixText(config, request.manifest, 'body.manifest', request.policy ? { policy: request.policy } : {});
        return { changed: result.changed, manifest: result.text, resources: result.resources };
      } catch (error) {
        if (error instanceof ManifestInputError) throw new BackendError('invalid_request', error.message);
        throw error;
      }
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
