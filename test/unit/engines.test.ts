import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../infra/config';
import { down, PortInUseError, portIsFree, up } from '../../infra/engines';

let stateDir: string;
let blocker: Server | undefined;

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'pac-unit-'));
});

afterEach(async () => {
  await new Promise<void>((r) => (blocker ? blocker.close(() => r()) : r()));
  blocker = undefined;
  await rm(stateDir, { recursive: true, force: true });
});

function occupy(): Promise<number> {
  return new Promise((resolve) => {
    blocker = createServer();
    blocker.listen({ port: 0, host: '127.0.0.1' }, () => {
      const address = blocker?.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

describe('engine ports', () => {
  it('sees a port taken by another program', async () => {
    const port = await occupy();
    expect(await portIsFree(port, '127.0.0.1')).toBe(false);
  });

  it('refuses to start on a taken port, naming the port and the setting that moves it', async () => {
    const port = await occupy();
    const config = loadConfig({
      PAC_STATE_DIR: stateDir,
      PAC_MLFLOW_URI: `http://127.0.0.1:${port}`,
      PAC_MLFLOW_PATH: process.execPath, // exists; never started because the port check fails first
    });
    const attempt = up(config, ['mlflow'], () => {});
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(new RegExp(`port ${port} is already in use.*PAC_MLFLOW_URI`));
    // nothing was started, so nothing is recorded
    expect(await readdir(stateDir)).not.toContain('run');
  });

  it('says which install step is missing when an engine binary is absent', async () => {
    const config = loadConfig({ PAC_STATE_DIR: stateDir, PAC_WEAVIATE_PATH: join(stateDir, 'no-such-weaviate') });
    await expect(up(config, ['weaviate'], () => {})).rejects.toThrow(/no-such-weaviate is missing.*install:engines/);
  });

  it('down leaves alone what it did not start', async () => {
    const config = loadConfig({ PAC_STATE_DIR: stateDir });
    expect(await down(config, undefined, () => {})).toEqual({ temporal: 'not-running', mlflow: 'not-running', weaviate: 'not-running' });
  });
});
