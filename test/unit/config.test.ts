import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../infra/config';

describe('loadConfig', () => {
  it('gives local defaults on an empty environment', () => {
    const config = loadConfig({ HOME: '/home/someone' });
    expect(config.temporal.address).toBe('127.0.0.1:7233');
    expect(config.temporal.port).toBe(7233);
    expect(config.temporal.namespace).toBe('default');
    expect(config.temporal.uiUrl).toBe('http://127.0.0.1:8233');
    expect(config.temporal.taskQueues).toEqual({ main: 'pac-main', lifecycle: 'pac-lifecycle', drafting: 'pac-drafting' });
    expect(config.mlflow.uri).toBe('http://127.0.0.1:5000');
    expect(config.mlflow.port).toBe(5000);
    expect(config.weaviate).toMatchObject({ host: '127.0.0.1', port: 8080, grpcPort: 50051, clusterPort: 7946 });
    expect(config.opa.timeoutMs).toBe(30_000);
    expect(config.opa.path).toMatch(/bin\/opa-v1\.\d+\.\d+$/);
  });

  it('derives binaries from the cache directory and lets a path variable override one', () => {
    const config = loadConfig({ PAC_CACHE_DIR: '/var/cache/pac', PAC_OPA_PATH: '/usr/local/bin/opa' });
    expect(config.opa.path).toBe('/usr/local/bin/opa');
    expect(config.temporal.cliPath.startsWith('/var/cache/pac/bin/temporal-')).toBe(true);
    expect(config.mlflow.path).toMatch(/^\/var\/cache\/pac\/mlflow-[\d.]+\/bin\/mlflow$/);
  });

  it('reads ports from URLs and strips a trailing slash', () => {
    const config = loadConfig({ PAC_MLFLOW_URI: 'http://localhost:15000/', PAC_WEAVIATE_URL: 'https://weaviate.internal' });
    expect(config.mlflow.uri).toBe('http://localhost:15000');
    expect(config.mlflow.port).toBe(15000);
    expect(config.weaviate.port).toBe(443);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PAC_TEMPORAL_NAMESPACE: '' }).temporal.namespace).toBe('default');
  });

  it.each([
    ['PAC_MLFLOW_URI', 'localhost:5000', /http\(s\) URL/],
    ['PAC_TEMPORAL_ADDRESS', 'http://127.0.0.1:7233', /host:port/],
    ['PAC_TEMPORAL_UI_PORT', '70000', /TCP port/],
    ['PAC_WEAVIATE_GRPC_PORT', 'abc', /TCP port/],
    ['PAC_OPA_TIMEOUT_MS', '-5', /positive/],
    ['PAC_TASK_QUEUE', 'has spaces', /letters, digits/],
  ])('rejects %s=%s naming the variable', (variable, value, expected) => {
    let caught: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]?.variable).toBe(variable);
    expect(error.message).toContain(`${variable}=${JSON.stringify(value)}`);
    expect(error.problems[0]?.message).toMatch(expected);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ PAC_MLFLOW_URI: 'nope', PAC_TEMPORAL_UI_PORT: '0' })).toThrow(
      /PAC_MLFLOW_URI[\s\S]*PAC_TEMPORAL_UI_PORT|PAC_TEMPORAL_UI_PORT[\s\S]*PAC_MLFLOW_URI/,
    );
  });
});

describe('state and cache directories', () => {
  it('follow HOME and the XDG base directories of the given environment', () => {
    expect(loadConfig({ HOME: '/home/someone' }).cacheDir).toBe('/home/someone/.cache/kube-pac-copilot');
    expect(loadConfig({ HOME: '/home/someone' }).stateDir).toBe('/home/someone/.local/state/kube-pac-copilot');
    const xdg = loadConfig({ HOME: '/h', XDG_CACHE_HOME: '/xc', XDG_STATE_HOME: '/xs' });
    expect([xdg.cacheDir, xdg.stateDir]).toEqual(['/xc/kube-pac-copilot', '/xs/kube-pac-copilot']);
    expect(loadConfig({ PAC_STATE_DIR: 'relative/state' }).stateDir).toBe(`${process.cwd()}/relative/state`);
  });
});
