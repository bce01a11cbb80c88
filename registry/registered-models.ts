/**
 * MLflow REST API, model registry — registered models and their aliases:
 * registered-models/create, get, search, delete, set-tag, alias (set, delete, get).
 */

import { MlflowArtifacts } from './artifacts';
import { type KeyValues, toKeyValues } from './batch';
import { isMlflowError } from './errors';
import { SEARCH_PAGE_SIZE } from './http';
import { type ModelVersion, type RegisteredModel, responses } from './schemas';

export class MlflowRegisteredModels extends MlflowArtifacts {
  /** POST registered-models/create; throws RESOURCE_ALREADY_EXISTS when the name is taken. */
  async createRegisteredModel(name: string, description?: string, tags?: KeyValues): Promise<RegisteredModel> {
    const body = await this.api('POST', 'registered-models/create', responses.registeredModel, {
      json: { name, description, tags: toKeyValues(tags) },
    });
    return body.registered_model;
  }

  /** GET registered-models/get; undefined when absent. */
  async getRegisteredModel(name: string): Promise<RegisteredModel | undefined> {
    const body = await this.orUndefined(this.api('GET', 'registered-models/get', responses.registeredModel, { query: { name } }));
    return body?.registered_model;
  }

  /** The registered model of that name, created if absent; safe against a concurrent create. */
  async getOrCreateRegisteredModel(name: string, description?: string, tags?: KeyValues): Promise<RegisteredModel> {
    return this.findOrCreate(
      () => this.getRegisteredModel(name),
      () => this.createRegisteredModel(name, description, tags),
    );
  }

  /** GET registered-models/search, all pages. `filter` e.g. "name LIKE 'pac-%'". */
  async searchRegisteredModels(filter?: string, options: { orderBy?: string[] } = {}): Promise<RegisteredModel[]> {
    return this.allPages(async (pageToken) => {
      const body = await this.api('GET', 'registered-models/search', responses.searchRegisteredModels, {
        query: { filter, order_by: options.orderBy, max_results: SEARCH_PAGE_SIZE, page_token: pageToken },
      });
      return { items: body.registered_models, next: body.next_page_token };
    });
  }

  /** DELETE registered-models/delete: the model and all its versions. */
  async deleteRegisteredModel(name: string): Promise<void> {
    await this.api('DELETE', 'registered-models/delete', responses.empty, { json: { name } });
  }

  /** POST registered-models/set-tag */
  async setRegisteredModelTag(name: string, key: string, value: string): Promise<void> {
    await this.api('POST', 'registered-models/set-tag', responses.empty, { json: { name, key, value } });
  }

  /**
   * POST registered-models/alias: points `alias` at `version`, moving it if it pointed elsewhere.
   * MLflow reserves "latest" and "v<digits>"; aliases are letters, digits, "_" and "-".
   */
  async setRegisteredModelAlias(name: string, alias: string, version: string | number): Promise<void> {
    await this.api('POST', 'registered-models/alias', responses.empty, {
      json: { name, alias, version: String(version) },
    });
  }

  /** DELETE registered-models/alias (MLflow answers success for an alias that is not set). */
  async deleteRegisteredModelAlias(name: string, alias: string): Promise<void> {
    await this.api('DELETE', 'registered-models/alias', responses.empty, { json: { name, alias } });
  }

  /**
   * GET registered-models/alias: the version the alias points at; undefined when the alias is not
   * set or the model does not exist. (MLflow reports an unset alias as INVALID_PARAMETER_VALUE
   * "Registered model alias <alias> not found", not as RESOURCE_DOES_NOT_EXIST.)
   */
  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion | undefined> {
    try {
      const body = await this.api('GET', 'registered-models/alias', responses.modelVersion, { query: { name, alias } });
      return body.model_version;
    } catch (error) {
      if (isMlflowError(error, 'RESOURCE_DOES_NOT_EXIST')) return undefined;
      if (isMlflowError(error, 'INVALID_PARAMETER_VALUE') && /alias .* not found/i.test(error.detail)) return undefined;
      throw error;
    }
  }
}
