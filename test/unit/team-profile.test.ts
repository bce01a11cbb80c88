/** The pure parts of the team profile and of pause/resume: URIs, masking, install decisions, notes, configuration. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type ConfigError, loadConfig, secretValues } from '../../infra/config';
import { ALL_ENGINES, artifactRoot, maskedBackend, profileEngines, SERVER_ENGINES } from '../../infra/engines';
import { checkPostgresUri, findPostgresBin, installDecision, maskUri, postgresUri, sqlalchemyUri } from '../../infra/postgres';
import { scheduleNote } from '../../workers/schedules-pause';

const base = { PAC_STATE_DIR: '/srv/pac', PAC_CACHE_DIR: '/tmp/pac-cache' };

describe('PostgreSQL URIs', () => {
  it('encodes the password, names the psycopg2 driver, and masks the password wherever it is shown', () => {
    const uri = postgresUri({ user: 'postgres', password: 'p@ss:w/rd?', host: '127.0.0.1', port: 5432, database: 'mlflow' });
    expect(uri).toBe('postgresql+psycopg2://postgres:p%40ss%3Aw%2Frd%3F@127.0.0.1:5432/mlflow');
    expect(maskUri(uri)).toBe('postgresql+psycopg2://postgres:***@127.0.0.1:5432/mlflow');
    expect(maskUri('postgres://u:secret@db:5433/x')).toBe('postgres://u:***@db:5433/x');
    expect(maskUri('postgresql://u@db/x')).toBe('postgresql://u@db/x');
  });

  it('gives a bare postgresql:// URI the driver MLflow has (SQLAlchemy 2.1 would pick psycopg 3)', () => {
    expect(sqlalchemyUri('postgresql://u:p@db/mlflow')).toBe('postgresql+psycopg2://u:p@db/mlflow');
    expect(sqlalchemyUri('postgres://u:p@db/mlflow')).toBe('postgresql+psycopg2://u:p@db/mlflow');
    expect(sqlalchemyUri('postgresql+psycopg://u:p@db/mlflow')).toBe('postgresql+psycopg://u:p@db/mlflow');
  });
});

describe('an external PostgreSQL (PAC_POSTGRES_URI)', () => {
  it('is checked where it is used, and a bad one is refused without echoing its password', () => {
    expect(checkPostgresUri('postgresql://mlflow:pw@db.internal:5432/mlflow')).toBe('postgresql://mlflow:pw@db.internal:5432/mlflow');
    for (const bad of ['mysql://root:topsecret@db/x', 'postgresql://root:topsecret@db', 'topsecret', 'postgresql://:topsecret@/x']) {
      expect(() => checkPostgresUri(bad)).toThrow(/PAC_POSTGRES_URI/);
      expect(() => checkPostgresUri(bad)).not.toThrow(/topsecret/);
    }
    // the configuration loader takes any text for it: no ConfigError can show it
    expect(loadConfig({ ...base, PAC_POSTGRES_URI: 'mysql://root:topsecret@db/x' }).postgres.externalUri).toBe(
      'mysql://root:topsecret@db/x',
    );
  });
});

describe('installing PostgreSQL', () => {
  it('installs from apt only as root on Linux with apt-get, and says why not otherwise', () => {
    const facts = { found: false, platform: 'linux', isRoot: true, hasAptGet: true };
    expect(installDecision({ ...facts, found: true })).toEqual({ action: 'none' });
    expect(installDecision(facts)).toEqual({ action: 'apt' });
    expect(installDecision({ ...facts, isRoot: false })).toMatchObject({ action: 'fail', reason: expect.stringMatching(/needs root/) });
    expect(installDecision({ ...facts, hasAptGet: false })).toMatchObject({ action: 'fail', reason: expect.stringMatching(/apt-get/) });
    expect(installDecision({ ...facts, platform: 'darwin' })).toMatchObject({ action: 'fail', reason: expect.stringMatching(/darwin/) });
  });

  it("finds Debian's binaries of the newest major version", () => {
    const root = mkdtempSync(join(tmpdir(), 'pac-pgbin-'));
    try {
      for (const major of ['13', '15', '9']) {
        mkdirSync(join(root, major, 'bin'), { recursive: true });
        for (const b of major === '15' ? ['initdb', 'postgres'] : ['initdb', 'postgres', 'psql'])
          writeFileSync(join(root, major, 'bin', b), '');
      }
      // 15 lacks psql: the newest complete one wins
      expect(findPostgresBin([root])).toBe(join(root, '13', 'bin'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('team profile configuration', () => {
  it('defaults: local profile engines, PostgreSQL on 5432, artifacts in the state directory', () => {
    const config = loadConfig(base);
    expect(config.postgres).toMatchObject({ host: '127.0.0.1', port: 5432, database: 'mlflow', externalUri: undefined });
    expect(artifactRoot(config)).toBe('/srv/pac/data/mlflow-artifacts');
    expect(profileEngines('local', config)).toEqual(SERVER_ENGINES);
    expect(profileEngines('team', config)).toEqual(ALL_ENGINES);
    expect(maskedBackend(config, 'local')).toBe('sqlite:////srv/pac/data/mlflow.sqlite');
    expect(maskedBackend(config, 'team')).toBe('postgresql://postgres:***@127.0.0.1:5432/mlflow');
  });

  it('an external PostgreSQL replaces the managed one, is a secret, and is shown masked', () => {
    const config = loadConfig({ ...base, PAC_POSTGRES_URI: 'postgresql://mlflow:hunter22@db.internal:5432/mlflow' });
    expect(profileEngines('team', config)).toEqual(SERVER_ENGINES);
    expect(secretValues(config)).toContain('postgresql://mlflow:hunter22@db.internal:5432/mlflow');
    expect(maskedBackend(config, 'team')).toBe('postgresql://mlflow:***@db.internal:5432/mlflow');
  });

  it('takes a directory or an s3:// artifact root', () => {
    expect(artifactRoot(loadConfig({ ...base, PAC_MLFLOW_ARTIFACT_ROOT: 's3://bucket/mlflow' }))).toBe('s3://bucket/mlflow');
    expect(artifactRoot(loadConfig({ ...base, PAC_MLFLOW_ARTIFACT_ROOT: '/data/artifacts' }))).toBe('/data/artifacts');
  });

  it('refuses bad values with the variable named', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig({ ...base, ...env });
      } catch (error) {
        return error as ConfigError;
      }
      throw new Error('expected a ConfigError');
    };
    expect(bad({ PAC_POSTGRES_PORT: '70000' }).message).toMatch(/PAC_POSTGRES_PORT/);
    expect(bad({ PAC_MLFLOW_ARTIFACT_ROOT: 'gs://bucket' }).message).toMatch(/PAC_MLFLOW_ARTIFACT_ROOT.*s3:/);
  });
});

describe('pause notes', () => {
  it('say who and why on one line, bounded', () => {
    expect(scheduleNote('paused', 'alice', 'cluster upgrade tonight')).toBe('paused by alice: cluster upgrade tonight');
    expect(scheduleNote('resumed', 'bob')).toBe('resumed by bob');
    expect(scheduleNote('paused', ' carol ', 'line one\nline two\u0007')).toBe('paused by carol: line one line two');
    expect(scheduleNote('paused', 'dave', 'x'.repeat(2000))).toHaveLength(500);
    expect(() => scheduleNote('paused', '  ', 'why')).toThrow(/--by/);
  });
});
