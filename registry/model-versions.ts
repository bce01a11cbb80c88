/**
 * MLflow REST API, model registry — model versions: model-versions/create, get, search, set-tag,
 * delete, and waiting for a new version's registration to finish.
 */
import { type KeyValues, toKeyValues } from './batch';
import { SEARCH_PAGE_SIZE, wireFields } from './http';
import { MlflowRegisteredModels } from './registered-models';
import { type ModelVersion, responses } from './schemas';

export interface CreateModelVersionInput {
  name: string;
  /** where the model lives; with runId it must lie inside that run's artifacts (or be runs:/<runId>/...) */
  source: string;
  runId?: string;
  description?: string;
  tags?: KeyValues;
  runLink?: string;
}

export class MlflowModelVersions extends MlflowRegisteredModels {
  /** POST model-versions/create; see waitForModelVersionReady for its registration to finish. */
  async createModelVersion(input: CreateModelVersionInput): Promise<ModelVersion> {
    const body = await this.api('POST', 'model-versions/create', responses.modelVersion, {
      json: wireFields({ ...input, tags: toKeyValues(input.tags) }),
    });
    return body.model_version;
  }

  /** GET model-versions/get; throws RESOURCE_DOES_NOT_EXIST when absent. */
  async getModelVersion(name: string, version: string | number): Promise<ModelVersion> {
    const body = await this.api('GET', 'model-versions/get', responses.modelVersion, {
      query: { name, version: String(version) },
    });
    return body.model_version;
  }

  /** GET model-versions/search, all pages. `filter` e.g. "name = 'm' and run_id = '...'". */
  async searchModelVersions(filter?: string, options: { orderBy?: string[] } = {}): Promise<ModelVersion[]> {
    return this.allPages(async (pageToken) => {
      const body = await this.api('GET', 'model-versions/search', responses.searchModelVersions, {
        query: { filter, order_by: options.orderBy, max_results: SEARCH_PAGE_SIZE, page_token: pageToken },
      });
      return { items: body.model_versions, next: body.next_page_token };
    });
  }

  /** POST model-versions/set-tag */
  async setModelVersionTag(name: string, version: string | number, key: string, value: string): Promise<void> {
    await this.api('POST', 'model-versions/set-tag', responses.empty, {
      json: { name, version: String(version), key, value },
    });
  }

  /** DELETE model-versions/delete */
  async deleteModelVersion(name: string, version: string | number): Promise<void> {
    await this.api('DELETE', 'model-versions/delete', responses.empty, { json: { name, version: String(version) } });
  }

  /**
   * Polls model-versions/get until the version is READY and returns it. Throws when registration
   * failed (FAILED_REGISTRATION, with MLflow's status_message) or did not finish within timeoutMs.
   */
  async waitForModelVersionReady(
    name: string,
    version: string | number,
    options: { timeoutMs?: number; intervalMs?: number } = {},
  ): Promise<ModelVersion> {
    const timeoutMs = options.timeoutMs ?? 60_000;
    const intervalMs = options.intervalMs ?? 500;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const mv = await this.getModelVersion(name, version);
      if (mv.status === 'READY') return mv;
      if (mv.status === 'FAILED_REGISTRATION') {
        throw new Error(`MLflow model version ${name}/${mv.version} failed to register: ${mv.status_message ?? '(no status message)'}`);
      }
      if (Date.now() + intervalMs > deadline) {
        throw new Error(`MLflow model version ${name}/${mv.version} still ${mv.status} after ${timeoutMs} ms`);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
