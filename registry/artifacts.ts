/**
 * MLflow REST API, artifacts through the server's artifact proxy (mlflow-artifacts/artifacts):
 * upload, download and list the files of a run. The server must run with --serve-artifacts (the
 * default in MLflow 3); paths are relative to the run's artifact root, as in MLflow's artifacts/list.
 */
import { encodeProxyPath, proxyRootOf, validateArtifactPath } from './paths';
import { MlflowRuns } from './runs';
import { type FileInfo, responses } from './schemas';

const PROXY_PATH = '/api/2.0/mlflow-artifacts/artifacts';

export class MlflowArtifacts extends MlflowRuns {
  /** run id -> the artifact proxy path of its artifact root (it never changes for a run) */
  private readonly artifactRoots = new Map<string, string>();

  /** PUT mlflow-artifacts/artifacts/<run root>/<relativePath>: stores one file (overwrites). */
  async uploadArtifact(runId: string, relativePath: string, data: string | Uint8Array, contentType?: string): Promise<void> {
    const path = validateArtifactPath(relativePath);
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    const type = contentType ?? (typeof data === 'string' ? 'text/plain; charset=utf-8' : 'application/octet-stream');
    const root = await this.artifactRoot(runId);
    const response = await this.send({
      method: 'PUT',
      path: `${PROXY_PATH}/${encodeProxyPath(root, path)}`,
      raw: { data: bytes, contentType: type },
    });
    await response.arrayBuffer();
  }

  /** GET mlflow-artifacts/artifacts/<run root>/<relativePath>: one file's bytes. */
  async downloadArtifact(runId: string, relativePath: string): Promise<Uint8Array> {
    const path = validateArtifactPath(relativePath);
    const root = await this.artifactRoot(runId);
    const response = await this.send({ method: 'GET', path: `${PROXY_PATH}/${encodeProxyPath(root, path)}` });
    return new Uint8Array(await response.arrayBuffer());
  }

  /** downloadArtifact, decoded as UTF-8. */
  async downloadText(runId: string, relativePath: string): Promise<string> {
    return new TextDecoder().decode(await this.downloadArtifact(runId, relativePath));
  }

  /**
   * GET mlflow-artifacts/artifacts?path=...: the files and directories directly under `path`
   * (default: the run's artifact root). Paths are relative to the run's artifact root, as in
   * MLflow's artifacts/list. A directory that does not exist lists as empty.
   */
  async listArtifacts(runId: string, path?: string): Promise<FileInfo[]> {
    const dir = validateArtifactPath(path, { directory: true });
    const root = await this.artifactRoot(runId);
    const body = await this.api('GET', '', responses.listArtifacts, {
      fullPath: PROXY_PATH,
      query: { path: [root, dir].filter((p) => p !== '').join('/') },
    });
    return body.files.map((file) => ({ ...file, path: dir ? `${dir}/${file.path}` : file.path }));
  }

  private async artifactRoot(runId: string): Promise<string> {
    const cached = this.artifactRoots.get(runId);
    if (cached !== undefined) return cached;
    const root = proxyRootOf((await this.getRun(runId)).info.artifact_uri);
    this.artifactRoots.set(runId, root);
    return root;
  }
}
