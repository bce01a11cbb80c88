/**
 * A throw-away Kubernetes control plane for the end-to-end test (`npm run test:e2e`): etcd and
 * kube-apiserver built from the Go module proxy (infra/install-tools.ts --e2e), run on loopback
 * ports in a temporary directory, with certificates from a CA generated for the run (openssl).
 * No kubelet, scheduler or controllers: enough to register an admission webhook and see the API
 * server call it when an object is created.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';

/** A free TCP port on 127.0.0.1 (asked from the kernel, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function openssl(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', (error) => reject(new Error(`cannot run openssl: ${error.message}`)));
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`openssl ${args[0]} failed (${code}): ${stderr.trim()}`))));
  });
}

export interface Certificates {
  /** PEM of the CA every certificate of the run is signed by */
  caPem: string;
  caFile: string;
  /** a serving certificate and key for 127.0.0.1 and localhost, per name */
  serving: Record<string, { certFile: string; keyFile: string }>;
}

/** A CA and one serving certificate (SAN 127.0.0.1, localhost) per name, valid for a day. */
export async function makeCertificates(dir: string, names: string[]): Promise<Certificates> {
  await mkdir(dir, { recursive: true });
  await openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=pac-e2e-ca'],
    dir,
  );
  await writeFile(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const serving: Certificates['serving'] = {};
  for (const name of names) {
    await openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${name}`], dir);
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        `${name}.csr`,
        '-CA',
        'ca.crt',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        `${name}.crt`,
        '-days',
        '1',
        '-extfile',
        'san.ext',
      ],
      dir,
    );
    serving[name] = { certFile: join(dir, `${name}.crt`), keyFile: join(dir, `${name}.key`) };
  }
  return { caPem: await readFile(join(dir, 'ca.crt'), 'utf8'), caFile: join(dir, 'ca.crt'), serving };
}

export interface KubeResponse {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: Kubernetes API bodies are read by path
  body: any;
}

export interface LocalCluster {
  url: string;
  request(method: string, path: string, body?: unknown): Promise<KubeResponse>;
  stop(): Promise<void>;
  logFiles: { etcd: string; apiserver: string };
}

function started(name: string, command: string, args: string[], logFile: string): ChildProcess {
  const log = createWriteStream(logFile);
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.on('error', (error) => log.write(`[${name}] cannot start: ${error.message}\n`));
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(-child.pid, 'SIGTERM');
  const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(-child.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/**
 * Starts etcd and kube-apiserver; resolves when /readyz answers. The admin client authenticates
 * with a static token (system:masters) and trusts the run's CA.
 */
export async function startLocalCluster(options: {
  etcd: string;
  kubeApiserver: string;
  dir: string;
  certificates: Certificates;
  timeoutMs?: number;
}): Promise<LocalCluster> {
  const { dir, certificates } = options;
  const serving = certificates.serving.apiserver;
  if (!serving) throw new Error('makeCertificates(…, ["apiserver", …]) first');
  const [etcdClient, etcdPeer, securePort] = [await freePort(), await freePort(), await freePort()];
  const token = `e2e-${randomBytes(24).toString('hex')}`;
  await writeFile(join(dir, 'tokens.csv'), `${token},e2e-admin,e2e-admin,system:masters\n`);
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  await writeFile(join(dir, 'sa.pub'), publicKey.export({ format: 'pem', type: 'spki' }));
  await writeFile(join(dir, 'sa.key'), privateKey.export({ format: 'pem', type: 'pkcs8' }));
  const logFiles = { etcd: join(dir, 'etcd.log'), apiserver: join(dir, 'kube-apiserver.log') };
  const etcd = started(
    'etcd',
    options.etcd,
    [
      '--name=e2e',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
      `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
      `--initial-cluster=e2e=http://127.0.0.1:${etcdPeer}`,
    ],
    logFiles.etcd,
  );
  const apiserver = started(
    'kube-apiserver',
    options.kubeApiserver,
    [
      `--etcd-servers=http://127.0.0.1:${etcdClient}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // no kubernetes Service endpoints to maintain (and a loopback address may not be one)
      '--endpoint-reconciler-type=none',
      `--secure-port=${securePort}`,
      `--tls-cert-file=${serving.certFile}`,
      `--tls-private-key-file=${serving.keyFile}`,
      `--client-ca-file=${certificates.caFile}`,
      `--token-auth-file=${join(dir, 'tokens.csv')}`,
      '--authorization-mode=AlwaysAllow',
      '--service-account-issuer=https://kubernetes.default.svc',
      `--service-account-key-file=${join(dir, 'sa.pub')}`,
      `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/24',
      // privileged containers must reach the admission webhooks: the API server's own
      // "disallowed by cluster policy" check would refuse them first
      '--allow-privileged=true',
      // no controller creates the namespaces' default ServiceAccount here
      '--disable-admission-plugins=ServiceAccount',
    ],
    logFiles.apiserver,
  );
  const url = `https://127.0.0.1:${securePort}`;
  const call = (method: string, path: string, body?: unknown): Promise<KubeResponse> =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${url}${path}`,
        {
          method,
          ca: certificates.caPem,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(payload ? { 'content-type': 'application/json' } : {}),
          },
          timeout: 30_000,
        },
        (res) => {
          let text = '';
          res.on('data', (chunk: Buffer) => {
            text += chunk.toString();
          });
          res.on('end', () => {
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              // plain text (e.g. /readyz)
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 30 s`)));
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  const stop = async () => {
    await stopProcess(apiserver);
    await stopProcess(etcd);
  };
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  const fail = async (what: string, log: string): Promise<never> => {
    await stop();
    const tail = (await readFile(log, 'utf8').catch(() => '')).trim().split('\n').slice(-25).join('\n');
    throw new Error(`${what} (${log}):\n${tail}`);
  };
  for (;;) {
    if (etcd.exitCode !== null) await fail('etcd exited during start', logFiles.etcd);
    if (apiserver.exitCode !== null) await fail('kube-apiserver exited during start', logFiles.apiserver);
    const ready = await call('GET', '/readyz').catch(() => undefined);
    if (ready?.status === 200) break;
    if (Date.now() > deadline) await fail(`kube-apiserver not ready within ${(options.timeoutMs ?? 120_000) / 1000} s`, logFiles.apiserver);
    await new Promise((r) => setTimeout(r, 500));
  }
  return { url, request: call, stop, logFiles };
}
