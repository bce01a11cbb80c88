/**
 * The MLflow client against a real MLflow tracking server (with --serve-artifacts): tracking,
 * artifact proxy and model registry, end to end. The tests run in order and share one experiment.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ArtifactPathError,
  MlflowClient,
  MlflowConnectionError,
  MlflowError,
  mlflowClientFromConfig,
  type Run,
} from '../../registry/mlflow';
import { testConfig, uniqueName } from './harness';

/** A local port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

describe('MLflow client against a real server', () => {
  const config = testConfig();
  const mlflow = mlflowClientFromConfig(config);
  const experimentName = uniqueName('pac-test-exp');
  const modelName = uniqueName('pac-test-model');
  let experimentId: string;
  let run: Run;
  let otherRun: Run;

  beforeAll(async () => {
    expect(await mlflow.health(), `MLflow is not up at ${config.mlflow.uri}`).toBe(true);
  });

  afterAll(async () => {
    // best effort: leave no registered model behind; the experiment is soft-deleted
    await mlflow.deleteRegisteredModel(modelName).catch(() => undefined);
    if (experimentId) await mlflow.deleteExperiment(experimentId).catch(() => undefined);
  });

  it('reports health and version', async () => {
    expect(await mlflow.health()).toBe(true);
    expect(await mlflow.version()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reports an unreachable server as unhealthy, and as a connection error naming the URI', async () => {
    const port = await closedPort();
    const down = new MlflowClient({ uri: `http://127.0.0.1:${port}`, timeoutMs: 2000, getRetries: 0 });
    expect(await down.health()).toBe(false);
    const error = await down.version().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowConnectionError);
    expect((error as MlflowConnectionError).reason).toBe('network');
    expect((error as Error).message).toContain(`http://127.0.0.1:${port}`);
  });

  it('creates an experiment once, however often and concurrently it is asked for', async () => {
    expect(await mlflow.getExperimentByName(experimentName)).toBeUndefined();
    const concurrent = await Promise.all([1, 2, 3].map(() => mlflow.getOrCreateExperiment(experimentName, { owner: 'pac' })));
    const ids = new Set(concurrent.map((e) => e.experiment_id));
    expect(ids.size).toBe(1);
    experimentId = concurrent[0]?.experiment_id ?? '';
    const again = await mlflow.getOrCreateExperiment(experimentName);
    expect(again.experiment_id).toBe(experimentId);
    expect(again.lifecycle_stage).toBe('active');
    expect(again.tags).toContainEqual({ key: 'owner', value: 'pac' });
    expect((await mlflow.getExperiment(experimentId)).name).toBe(experimentName);
    const found = await mlflow.searchExperiments(`name = '${experimentName}'`);
    expect(found.map((e) => e.experiment_id)).toEqual([experimentId]);
    await expect(mlflow.createExperiment(experimentName)).rejects.toMatchObject({ errorCode: 'RESOURCE_ALREADY_EXISTS' });
  });

  it('creates a run and logs more than one request of metrics, params and tags', async () => {
    run = await mlflow.createRun({ experimentId, runName: 'train', tags: { 'pac.kind': 'classifier' }, startTime: new Date() });
    expect(run.info.status).toBe('RUNNING');
    expect(run.info.run_name).toBe('train');
    expect(run.info.artifact_uri).toMatch(/^mlflow-artifacts:/);

    const loss = Array.from({ length: 1500 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1), step }));
    const params = Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`hp_${i}`, i]));
    const tags = Object.fromEntries(Array.from({ length: 120 }, (_, i) => [`tag_${i}`, `v${i}`]));
    const requests = await mlflow.logBatch({
      runId: run.info.run_id,
      metrics: [...loss, { key: 'accuracy', value: 0.93, step: 0 }],
      params,
      tags,
    });
    expect(requests).toBe(2);
    await mlflow.logParam(run.info.run_id, 'model', 'logreg');
    await mlflow.setTag(run.info.run_id, 'pac.stage', 'trained');
    await mlflow.logMetric(run.info.run_id, 'f1', 0.88, { step: 3 });

    const history = await mlflow.getMetricHistory(run.info.run_id, 'loss');
    expect(history).toHaveLength(1500);
    expect(history.map((m) => m.step).sort((a, b) => a - b)).toEqual(loss.map((m) => m.step));

    const fetched = await mlflow.getRun(run.info.run_id);
    expect(fetched.data.params).toHaveLength(151);
    expect(fetched.data.params).toContainEqual({ key: 'hp_149', value: '149' });
    expect(fetched.data.params).toContainEqual({ key: 'model', value: 'logreg' });
    expect(fetched.data.tags).toContainEqual({ key: 'tag_119', value: 'v119' });
    expect(fetched.data.tags).toContainEqual({ key: 'pac.stage', value: 'trained' });
    expect(fetched.data.tags).toContainEqual({ key: 'pac.kind', value: 'classifier' });
    const latest = Object.fromEntries(fetched.data.metrics.map((m) => [m.key, m]));
    expect(latest.accuracy?.value).toBe(0.93);
    expect(latest.f1).toMatchObject({ value: 0.88, step: 3 });
    expect(latest.loss?.step).toBe(1499);
  });

  it('logs a dataset input with its digest', async () => {
    await mlflow.logInputs({
      runId: run.info.run_id,
      datasets: [
        {
          dataset: {
            name: 'pac-train',
            digest: 'd41d8cd98f00b204',
            sourceType: 'local',
            source: JSON.stringify({ uri: 'datasets/train.jsonl' }),
            schema: JSON.stringify({ columns: ['text', 'label'] }),
          },
          tags: { 'mlflow.data.context': 'training' },
        },
      ],
    });
    const fetched = await mlflow.getRun(run.info.run_id);
    expect(fetched.inputs.dataset_inputs).toHaveLength(1);
    const input = fetched.inputs.dataset_inputs[0];
    expect(input?.dataset).toMatchObject({ name: 'pac-train', digest: 'd41d8cd98f00b204', source_type: 'local' });
    expect(input?.tags).toContainEqual({ key: 'mlflow.data.context', value: 'training' });
  });

  it('finishes runs and finds them by metric', async () => {
    otherRun = await mlflow.createRun({ experimentId, runName: 'baseline' });
    await mlflow.logMetric(otherRun.info.run_id, 'accuracy', 0.5);

    const info = await mlflow.updateRun({ runId: run.info.run_id, status: 'FINISHED' });
    expect(info.status).toBe('FINISHED');
    expect(info.end_time).toBeGreaterThanOrEqual(info.start_time ?? 0);
    expect((await mlflow.getRun(run.info.run_id)).info.status).toBe('FINISHED');

    const good = await mlflow.searchRuns({ experimentIds: [experimentId], filter: 'metrics.accuracy > 0.9' });
    expect(good.runs.map((r) => r.info.run_id)).toEqual([run.info.run_id]);
    expect(good.nextPageToken).toBeUndefined();

    const all = await mlflow.searchRuns({ experimentIds: [experimentId], orderBy: ['metrics.accuracy ASC'], maxResults: 1 });
    expect(all.runs.map((r) => r.info.run_id)).toEqual([otherRun.info.run_id]);
    expect(all.nextPageToken).toBeTruthy();
    const next = await mlflow.searchRuns({
      experimentIds: [experimentId],
      orderBy: ['metrics.accuracy ASC'],
      maxResults: 1,
      pageToken: all.nextPageToken,
    });
    expect(next.runs.map((r) => r.info.run_id)).toEqual([run.info.run_id]);

    await mlflow.updateRun({ runId: otherRun.info.run_id, status: 'KILLED' });
    await mlflow.deleteRun(otherRun.info.run_id);
    const active = await mlflow.searchRuns({ experimentIds: [experimentId] });
    expect(active.runs.map((r) => r.info.run_id)).toEqual([run.info.run_id]);
  });

  it('uploads, lists and downloads artifacts through the proxy', async () => {
    const runId = run.info.run_id;
    const text = 'artifact_path: model\nflavors: {}\nnote: ünïcode ✓\n';
    const binary = Uint8Array.from({ length: 256 }, (_, i) => i);
    await mlflow.uploadArtifact(runId, 'model/MLmodel', text);
    await mlflow.uploadArtifact(runId, 'model/weights.bin', binary);
    await mlflow.uploadArtifact(runId, 'reports/eval summary.json', JSON.stringify({ accuracy: 0.93 }), 'application/json');

    expect(await mlflow.downloadText(runId, 'model/MLmodel')).toBe(text);
    expect(await mlflow.downloadArtifact(runId, 'model/weights.bin')).toEqual(binary);
    expect(JSON.parse(await mlflow.downloadText(runId, 'reports/eval summary.json'))).toEqual({ accuracy: 0.93 });

    const root = await mlflow.listArtifacts(runId);
    expect(root).toEqual(
      expect.arrayContaining([
        { path: 'model', is_dir: true },
        { path: 'reports', is_dir: true },
      ]),
    );
    const model = await mlflow.listArtifacts(runId, 'model');
    expect(model).toEqual(
      expect.arrayContaining([
        { path: 'model/MLmodel', is_dir: false, file_size: new TextEncoder().encode(text).length },
        { path: 'model/weights.bin', is_dir: false, file_size: 256 },
      ]),
    );
    expect(model).toHaveLength(2);
    expect(await mlflow.listArtifacts(runId, 'nothing-here')).toEqual([]);

    await expect(mlflow.uploadArtifact(runId, '../escape.txt', 'x')).rejects.toThrow(ArtifactPathError);
    await expect(mlflow.downloadArtifact(runId, '/etc/passwd')).rejects.toThrow(ArtifactPathError);
    await expect(mlflow.downloadArtifact(runId, 'model/missing.bin')).rejects.toBeInstanceOf(MlflowError);
  });

  it('registers model versions and moves the champion alias between them', async () => {
    expect(await mlflow.getRegisteredModel(modelName)).toBeUndefined();
    const created = await mlflow.getOrCreateRegisteredModel(modelName, 'PAC classifier', { team: 'pac' });
    const again = await mlflow.getOrCreateRegisteredModel(modelName);
    expect(again.name).toBe(created.name);
    expect(again.description).toBe('PAC classifier');
    await mlflow.setRegisteredModelTag(modelName, 'domain', 'kubernetes');

    const source = `${run.info.artifact_uri}/model`;
    const v1 = await mlflow.createModelVersion({ name: modelName, source, runId: run.info.run_id, tags: { stage: 'candidate' } });
    const ready1 = await mlflow.waitForModelVersionReady(modelName, v1.version);
    expect(ready1).toMatchObject({ name: modelName, version: '1', status: 'READY', source, run_id: run.info.run_id });
    expect(ready1.tags).toContainEqual({ key: 'stage', value: 'candidate' });
    const v2 = await mlflow.createModelVersion({ name: modelName, source, runId: run.info.run_id, description: 'retrained' });
    const ready2 = await mlflow.waitForModelVersionReady(modelName, v2.version);
    expect(ready2.version).toBe('2');
    await mlflow.setModelVersionTag(modelName, 2, 'validated', 'true');
    expect((await mlflow.getModelVersion(modelName, '2')).tags).toContainEqual({ key: 'validated', value: 'true' });

    const versions = await mlflow.searchModelVersions(`name = '${modelName}'`);
    expect(versions.map((v) => v.version).sort()).toEqual(['1', '2']);
    const models = await mlflow.searchRegisteredModels(`name = '${modelName}'`);
    expect(models.map((m) => m.name)).toEqual([modelName]);
    expect(models[0]?.tags).toEqual(
      expect.arrayContaining([
        { key: 'team', value: 'pac' },
        { key: 'domain', value: 'kubernetes' },
      ]),
    );

    expect(await mlflow.getModelVersionByAlias(modelName, 'champion')).toBeUndefined();
    await mlflow.setRegisteredModelAlias(modelName, 'champion', v1.version);
    expect((await mlflow.getModelVersionByAlias(modelName, 'champion'))?.version).toBe('1');
    await mlflow.setRegisteredModelAlias(modelName, 'champion', '2');
    const champion = await mlflow.getModelVersionByAlias(modelName, 'champion');
    expect(champion).toMatchObject({ version: '2', aliases: ['champion'] });
    expect((await mlflow.getRegisteredModel(modelName))?.aliases).toEqual([{ alias: 'champion', version: '2' }]);
    expect((await mlflow.getModelVersion(modelName, 1)).aliases).toEqual([]);

    await mlflow.deleteRegisteredModelAlias(modelName, 'champion');
    expect(await mlflow.getModelVersionByAlias(modelName, 'champion')).toBeUndefined();
    expect(await mlflow.getModelVersionByAlias(uniqueName('no-such-model'), 'champion')).toBeUndefined();

    await mlflow.deleteModelVersion(modelName, 1);
    await expect(mlflow.getModelVersion(modelName, 1)).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
  });

  it('rejects a model version whose source lies outside its run', async () => {
    const error = await mlflow
      .createModelVersion({
        name: modelName,
        source: `${run.info.artifact_uri.replace(run.info.run_id, 'elsewhere')}/model`,
        runId: run.info.run_id,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowError);
    expect(error).toMatchObject({ status: 400, errorCode: 'INVALID_PARAMETER_VALUE' });
  });

  it('reports unknown resources as MlflowError RESOURCE_DOES_NOT_EXIST', async () => {
    const error = await mlflow.getRun('0123456789abcdef0123456789abcdef').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MlflowError);
    expect(error).toMatchObject({
      status: 404,
      errorCode: 'RESOURCE_DOES_NOT_EXIST',
      method: 'GET',
      path: '/api/2.0/mlflow/runs/get',
    });
    expect((error as Error).message).toContain('RESOURCE_DOES_NOT_EXIST');
  });
});
