/**
 * Pure logic of the MLflow client: batch splitting, artifact paths, error parsing and the record
 * schemas. No server.
 */
import { describe, expect, it } from 'vitest';
import {
  ArtifactPathError,
  type BatchChunk,
  chunkList,
  encodeProxyPath,
  errorCodeForStatus,
  isMlflowError,
  MLFLOW_BATCH_LIMITS,
  MlflowClient,
  MlflowError,
  ModelVersion,
  parseErrorBody,
  proxyRootOf,
  Run,
  splitBatch,
  toKeyValues,
  validateArtifactPath,
  type WireMetric,
  wireMetricValue,
} from '../../registry/mlflow';

const metrics = (n: number): WireMetric[] => Array.from({ length: n }, (_, i) => ({ key: `m${i % 7}`, value: i, timestamp: 1, step: i }));
const kvs = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: String(i) }));

function expectWithinLimits(chunks: BatchChunk[]) {
  for (const chunk of chunks) {
    expect(chunk.metrics.length).toBeLessThanOrEqual(1000);
    expect(chunk.params.length).toBeLessThanOrEqual(100);
    expect(chunk.tags.length).toBeLessThanOrEqual(100);
    expect(chunk.metrics.length + chunk.params.length + chunk.tags.length).toBeLessThanOrEqual(1000);
    expect(chunk.metrics.length + chunk.params.length + chunk.tags.length).toBeGreaterThan(0);
  }
}

function flatten(chunks: BatchChunk[]): BatchChunk {
  return {
    metrics: chunks.flatMap((c) => c.metrics),
    params: chunks.flatMap((c) => c.params),
    tags: chunks.flatMap((c) => c.tags),
  };
}

describe('splitBatch', () => {
  it('sends nothing for an empty batch', () => {
    expect(splitBatch({ metrics: [], params: [], tags: [] })).toEqual([]);
  });

  it('keeps a batch within the limits as one request', () => {
    const batch = { metrics: metrics(800), params: kvs('p', 100), tags: kvs('t', 100) };
    const chunks = splitBatch(batch);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]).toEqual(batch);
  });

  it('splits 2500 metrics into 1000 + 1000 + 500, in order', () => {
    const batch = { metrics: metrics(2500), params: [], tags: [] };
    const chunks = splitBatch(batch);
    expect(chunks.map((c) => c.metrics.length)).toEqual([1000, 1000, 500]);
    expect(flatten(chunks)).toEqual(batch);
  });

  it('caps params and tags at 100 each and the total at 1000', () => {
    const batch = { metrics: metrics(1500), params: kvs('p', 250), tags: kvs('t', 120) };
    const chunks = splitBatch(batch);
    expectWithinLimits(chunks);
    expect(flatten(chunks)).toEqual(batch);
    // first request: 100 params + 100 tags + 800 metrics = 1000 entities
    expect(chunks[0]?.params).toHaveLength(100);
    expect(chunks[0]?.tags).toHaveLength(100);
    expect(chunks[0]?.metrics).toHaveLength(800);
    // 250 params need three requests however the metrics fall
    expect(chunks.length).toBe(3);
  });

  it('honours a character budget, sending an oversize item alone', () => {
    const big = 'x'.repeat(5000);
    const batch = { metrics: [], params: [], tags: Array.from({ length: 10 }, (_, i) => ({ key: `t${i}`, value: big })) };
    const chunks = splitBatch(batch, { ...MLFLOW_BATCH_LIMITS, maxRequestChars: 12_000 });
    expect(chunks.map((c) => c.tags.length)).toEqual([2, 2, 2, 2, 2]);
    const tiny = splitBatch(batch, { ...MLFLOW_BATCH_LIMITS, maxRequestChars: 10 });
    expect(tiny).toHaveLength(10);
    expect(flatten(tiny)).toEqual(batch);
  });

  it('accepts custom limits and rejects nonsense ones', () => {
    const chunks = splitBatch({ metrics: metrics(10), params: kvs('p', 3), tags: [] }, { ...MLFLOW_BATCH_LIMITS, maxEntities: 4 });
    expect(chunks.map((c) => c.params.length + c.metrics.length)).toEqual([4, 4, 4, 1]);
    expect(() => splitBatch({ metrics: [], params: [], tags: [] }, { ...MLFLOW_BATCH_LIMITS, maxMetrics: 0 })).toThrow(RangeError);
  });
});

describe('batch helpers', () => {
  it('spells non-finite metric values as protobuf JSON does', () => {
    expect(wireMetricValue(1.5)).toBe(1.5);
    expect(wireMetricValue(Number.NaN)).toBe('NaN');
    expect(wireMetricValue(Number.POSITIVE_INFINITY)).toBe('Infinity');
    expect(wireMetricValue(Number.NEGATIVE_INFINITY)).toBe('-Infinity');
  });

  it('turns records and lists into string key/values', () => {
    expect(toKeyValues({ a: 1, b: true, c: 'x' })).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: 'true' },
      { key: 'c', value: 'x' },
    ]);
    expect(toKeyValues([{ key: 'k', value: 2 }])).toEqual([{ key: 'k', value: '2' }]);
    expect(toKeyValues(undefined)).toEqual([]);
  });

  it('chunks lists', () => {
    expect(chunkList([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(chunkList([], 2)).toEqual([]);
    expect(() => chunkList([1], 0)).toThrow(RangeError);
  });
});

describe('validateArtifactPath', () => {
  it('accepts relative paths', () => {
    expect(validateArtifactPath('model/MLmodel')).toBe('model/MLmodel');
    expect(validateArtifactPath('report.json')).toBe('report.json');
    expect(validateArtifactPath('a b/ünï.txt')).toBe('a b/ünï.txt');
    expect(validateArtifactPath('..hidden/x..y')).toBe('..hidden/x..y');
  });

  it.each([
    ['../etc/passwd', '".."'],
    ['a/../../b', '".."'],
    ['a/..', '".."'],
    ['/etc/passwd', 'start with "/"'],
    ['a\\b', '"\\"'],
    ['a//b', 'empty segments'],
    ['./a', '"." segments'],
    ['s3://bucket/key', 'not a URI'],
    ['a\nb', 'control characters'],
    ['', 'required'],
    ['dir/', 'must name a file'],
  ])('rejects %j', (path, why) => {
    expect(() => validateArtifactPath(path)).toThrow(ArtifactPathError);
    expect(() => validateArtifactPath(path)).toThrow(why);
  });

  it('allows the root and a trailing slash for directories only', () => {
    expect(validateArtifactPath(undefined, { directory: true })).toBe('');
    expect(validateArtifactPath('', { directory: true })).toBe('');
    expect(validateArtifactPath('model/', { directory: true })).toBe('model');
    expect(() => validateArtifactPath('../x', { directory: true })).toThrow(ArtifactPathError);
    expect(() => validateArtifactPath('/', { directory: true })).toThrow(ArtifactPathError);
  });
});

describe('artifact proxy paths', () => {
  it('maps a run artifact_uri to the proxy path', () => {
    expect(proxyRootOf('mlflow-artifacts:/1/abc/artifacts')).toBe('1/abc/artifacts');
    expect(proxyRootOf('mlflow-artifacts://mlflow:5000/1/abc/artifacts/')).toBe('1/abc/artifacts');
    expect(proxyRootOf('http://h:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts')).toBe('1/abc/artifacts');
    expect(() => proxyRootOf('file:///tmp/mlruns/1/abc/artifacts')).toThrow('--serve-artifacts');
    expect(() => proxyRootOf('s3://bucket/1/abc/artifacts')).toThrow(ArtifactPathError);
  });

  it('encodes every segment', () => {
    expect(encodeProxyPath('1/abc/artifacts', 'a b/c#d?.txt')).toBe('1/abc/artifacts/a%20b/c%23d%3F.txt');
    expect(encodeProxyPath('1/abc/artifacts', '')).toBe('1/abc/artifacts');
  });
});

describe('error parsing', () => {
  it('reads MLflow error bodies', () => {
    const body = JSON.stringify({
      error_code: 'RESOURCE_DOES_NOT_EXIST',
      message: 'Run with id=x not found',
      sqlstate: 'KAM00',
      error_class: 'RESOURCE_NOT_FOUND',
    });
    expect(parseErrorBody(404, body)).toEqual({ errorCode: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=x not found' });
  });

  it('falls back to the HTTP status for bodies that are not MLflow errors', () => {
    expect(parseErrorBody(403, 'Invalid Host header - possible DNS rebinding attack detected')).toEqual({
      errorCode: 'PERMISSION_DENIED',
      message: 'Invalid Host header - possible DNS rebinding attack detected',
    });
    const html = '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>';
    expect(parseErrorBody(404, html)).toEqual({ errorCode: 'ENDPOINT_NOT_FOUND', message: '404 Not Found Not Found' });
    expect(parseErrorBody(502, '')).toEqual({ errorCode: 'INTERNAL_ERROR', message: '(empty response body)' });
    expect(parseErrorBody(418, '{"unexpected": true}').errorCode).toBe('HTTP_418');
    expect(parseErrorBody(500, 'x'.repeat(5000)).message.length).toBeLessThan(1100);
  });

  it('maps statuses to MLflow error codes', () => {
    expect(errorCodeForStatus(503)).toBe('TEMPORARILY_UNAVAILABLE');
    expect(errorCodeForStatus(401)).toBe('UNAUTHENTICATED');
    expect(errorCodeForStatus(500)).toBe('INTERNAL_ERROR');
  });

  it('MlflowError carries status, code, method and path', () => {
    const error = new MlflowError(404, 'RESOURCE_DOES_NOT_EXIST', 'Run with id=x not found', 'GET', '/api/2.0/mlflow/runs/get');
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe('MLflow GET /api/2.0/mlflow/runs/get failed: HTTP 404 RESOURCE_DOES_NOT_EXIST: Run with id=x not found');
    expect(isMlflowError(error)).toBe(true);
    expect(isMlflowError(error, 'RESOURCE_DOES_NOT_EXIST')).toBe(true);
    expect(isMlflowError(error, 'RESOURCE_ALREADY_EXISTS')).toBe(false);
    expect(isMlflowError(new Error('x'))).toBe(false);
  });
});

describe('record schemas', () => {
  it('fills in what MLflow leaves out of a new run', () => {
    const run = Run.parse({
      info: {
        run_uuid: 'abc',
        run_id: 'abc',
        experiment_id: '1',
        run_name: 'r1',
        user_id: '',
        status: 'RUNNING',
        start_time: 1,
        artifact_uri: 'mlflow-artifacts:/1/abc/artifacts',
        lifecycle_stage: 'active',
      },
      data: { tags: [{ key: 'mlflow.runName', value: 'r1' }] },
      inputs: {},
    });
    expect(run.data.metrics).toEqual([]);
    expect(run.data.params).toEqual([]);
    expect(run.inputs.dataset_inputs).toEqual([]);
    expect(run.outputs.model_outputs).toEqual([]);
  });

  it('reads non-finite metric values and string int64s', () => {
    const run = Run.parse({
      info: { run_id: 'a', experiment_id: '1', status: 'FINISHED', lifecycle_stage: 'active', end_time: '1700000000000' },
      data: { metrics: [{ key: 'loss', value: 'NaN', timestamp: 1, step: 0 }] },
    });
    expect(run.info.end_time).toBe(1_700_000_000_000);
    expect(run.data.metrics[0]?.value).toBeNaN();
  });

  it('normalises model version numbers to strings', () => {
    const mv = ModelVersion.parse({ name: 'm', version: 3, status: 'READY' });
    expect(mv.version).toBe('3');
    expect(mv.aliases).toEqual([]);
    expect(() => ModelVersion.parse({ name: 'm', version: '1', status: 'BOGUS' })).toThrow();
  });
});

describe('MlflowClient construction', () => {
  it('strips trailing slashes and rejects bad URIs', () => {
    expect(new MlflowClient({ uri: 'http://127.0.0.1:5000/' }).uri).toBe('http://127.0.0.1:5000');
    expect(() => new MlflowClient({ uri: 'not a url' })).toThrow(TypeError);
    expect(() => new MlflowClient({ uri: 'ftp://host' })).toThrow('http(s)');
    expect(() => new MlflowClient({ uri: 'http://h', timeoutMs: 0 })).toThrow(RangeError);
  });

  it('rejects bad artifact paths before any request', async () => {
    const client = new MlflowClient({ uri: 'http://127.0.0.1:9' });
    await expect(client.uploadArtifact('run', '../x', 'data')).rejects.toThrow(ArtifactPathError);
    await expect(client.downloadArtifact('run', '/etc/passwd')).rejects.toThrow('start with "/"');
  });
});
