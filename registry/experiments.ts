/**
 * MLflow REST API, experiments: experiments/create, get, get-by-name, search, delete.
 */
import { type KeyValues, toKeyValues } from './batch';
import { MlflowHttp, SEARCH_PAGE_SIZE, type ViewType } from './http';
import { type Experiment, responses } from './schemas';

export class MlflowExperiments extends MlflowHttp {
  /** POST experiments/create; returns the new experiment's id. */
  async createExperiment(name: string, tags?: KeyValues, artifactLocation?: string): Promise<string> {
    const body = await this.api('POST', 'experiments/create', responses.createExperiment, {
      json: { name, tags: toKeyValues(tags), artifact_location: artifactLocation },
    });
    return body.experiment_id;
  }

  /** GET experiments/get; throws RESOURCE_DOES_NOT_EXIST when absent. */
  async getExperiment(experimentId: string): Promise<Experiment> {
    const body = await this.api('GET', 'experiments/get', responses.experiment, {
      query: { experiment_id: experimentId },
    });
    return body.experiment;
  }

  /** GET experiments/get-by-name; undefined when absent. Deleted experiments are returned too. */
  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    return this.orUndefined(this.api('GET', 'experiments/get-by-name', responses.experiment, { query: { experiment_name: name } })).then(
      (body) => body?.experiment,
    );
  }

  /**
   * The active experiment of that name, created (with `tags`) if there is none. Safe when another
   * process creates it at the same time. A deleted experiment of that name is an error: its name
   * stays taken until it is restored or purged (`mlflow gc`).
   */
  async getOrCreateExperiment(name: string, tags?: KeyValues): Promise<Experiment> {
    return this.findOrCreate(
      async () => {
        const found = await this.getExperimentByName(name);
        return found && this.activeExperiment(found);
      },
      async () => this.getExperiment(await this.createExperiment(name, tags)),
    );
  }

  private activeExperiment(experiment: Experiment): Experiment {
    if (experiment.lifecycle_stage !== 'active') {
      throw new Error(
        `MLflow experiment ${JSON.stringify(experiment.name)} (id ${experiment.experiment_id}) is ${experiment.lifecycle_stage}; ` +
          'restore it or purge it with `mlflow gc` before reusing the name',
      );
    }
    return experiment;
  }

  /** POST experiments/search, all pages. `filter` in MLflow syntax, e.g. "name LIKE 'pac-%'". */
  async searchExperiments(filter?: string, options: { orderBy?: string[]; viewType?: ViewType } = {}): Promise<Experiment[]> {
    return this.allPages(async (pageToken) => {
      const body = await this.api('POST', 'experiments/search', responses.searchExperiments, {
        json: {
          filter,
          order_by: options.orderBy,
          view_type: options.viewType,
          max_results: SEARCH_PAGE_SIZE,
          page_token: pageToken,
        },
      });
      return { items: body.experiments, next: body.next_page_token };
    });
  }

  /** POST experiments/delete (soft delete: its runs are deleted with it, the name stays taken). */
  async deleteExperiment(experimentId: string): Promise<void> {
    await this.api('POST', 'experiments/delete', responses.empty, { json: { experiment_id: experimentId } });
  }
}
