/**
 * Artifact paths: checking the relative paths callers give, and mapping a run's artifact_uri to the
 * path the artifact proxy (/api/2.0/mlflow-artifacts/artifacts/...) serves it under.
 */

export class ArtifactPathError extends Error {
  override readonly name = 'ArtifactPathError';
}

/**
 * Checks a path relative to a run's artifact root and returns it normalised ("a/b", no trailing
 * slash). Rejects absolute paths, `..` segments, backslashes, empty segments and control characters.
 * With `directory`, "" (or undefined) means the root itself and is returned as "", and a trailing
 * "/" is allowed; a file path must name a file.
 */
export function validateArtifactPath(path: string | undefined, options: { directory?: boolean } = {}): string {
  const value = path ?? '';
  const fail = (why: string): never => {
    throw new ArtifactPathError(`invalid artifact path ${JSON.stringify(value)}: ${why}`);
  };
  if (value === '' || value === '.') {
    if (options.directory) return '';
    fail('a path relative to the run artifact root is required');
  }
  if (value.startsWith('/')) fail('must be relative to the run artifact root, not start with "/"');
  if (value.includes('\\')) fail('use "/" to separate directories, not "\\"');
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  if (/[\u0000-\u001f\u007f]/.test(value)) fail('must not contain control characters');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value)) fail('must be a relative path, not a URI');
  if (value.endsWith('/') && !options.directory) fail('must name a file, not end with "/"');
  const segments = value.replace(/\/+$/, '').split('/');
  for (const segment of segments) {
    if (segment === '..') fail('must not contain ".." segments');
    if (segment === '') fail('must not contain empty segments ("//")');
    if (segment === '.') fail('must not contain "." segments');
  }
  return segments.join('/');
}

/**
 * The proxy path of a run's artifact root, from its artifact_uri:
 *   mlflow-artifacts:/1/<runId>/artifacts             -> 1/<runId>/artifacts
 *   mlflow-artifacts://host:5000/1/<runId>/artifacts  -> 1/<runId>/artifacts
 *   http://host:5000/api/2.0/mlflow-artifacts/artifacts/1/<runId>/artifacts -> 1/<runId>/artifacts
 * Other schemes (file:, s3:, ...) mean the server does not proxy artifacts for this run.
 */
export function proxyRootOf(artifactUri: string): string {
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/*(.*)$/.exec(artifactUri);
  if (proxied) return (proxied[1] ?? '').replace(/\/+$/, '');
  const http = /^https?:\/\/[^/]+\/(?:.*\/)?api\/2\.0\/mlflow-artifacts\/artifacts\/*(.*)$/.exec(artifactUri);
  if (http) return decodeURIComponent(http[1] ?? '').replace(/\/+$/, '');
  throw new ArtifactPathError(
    `run artifact_uri ${JSON.stringify(artifactUri)} is not served by the artifact proxy ` +
      '(expected mlflow-artifacts:/...; start the server with --serve-artifacts and no --default-artifact-root)',
  );
}

/** Joins the proxy root and a validated relative path, and URL-encodes every segment. */
export function encodeProxyPath(root: string, relativePath: string): string {
  return [root, relativePath]
    .filter((part) => part !== '')
    .join('/')
    .split('/')
    .map(encodeURIComponent)
    .join('/');
}
