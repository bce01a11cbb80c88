/**
 * The offline generator: derives ranked candidate constraints from a request — by diffing the
 * must-deny against the must-allow examples when there are examples, and by reading the intent
 * against a lexicon of Kubernetes fields and operator phrases — then writes Rego and tests for one.
 *
 * Pure and deterministic: the same request, retrieval and attempt give the same draft. A later
 * attempt takes the next candidate not already rejected by the guardrails (the repair loop).
 */
import { tokenize } from '../llm/embeddings';
import {
  CONTAINER_LISTS,
  containersOf,
  flatten,
  getAt,
  isObject,
  missingAt,
  podSpecOf,
  podSpecPath,
  valuesAt,
  WORKLOAD_KINDS,
} from './manifest-paths';
import { constraintParameters, describeConstraint, displayPath, packageOf, type TestBase, writePolicy, writeTests } from './rego-writer';
import type { Constraint, Draft, DraftRequest, Provenance } from './schemas';

type Scope = Constraint['scope'];
type FieldType = 'boolean' | 'string' | 'number' | 'object' | 'list';

/** A known Kubernetes field: phrases that name it, where it lives, what it holds. */
type LexiconEntry = {
  phrases: string[];
  scope: Scope;
  path: string[];
  type: FieldType;
  kinds?: string[];
  /** a value that shows a violation / a compliant value, for tests */
  sample?: unknown;
};

const L = (phrases: string, scope: Scope, path: string | string[], type: FieldType, kinds?: string[], sample?: unknown): LexiconEntry => ({
  phrases: phrases.split('|'),
  scope,
  path: Array.isArray(path) ? path : path.split('.'),
  type,
  ...(kinds ? { kinds } : {}),
  ...(sample !== undefined ? { sample } : {}),
});

export const LEXICON: LexiconEntry[] = [
  L(
    'read only root filesystem|readonlyrootfilesystem|read only filesystem',
    'container',
    'securityContext.readOnlyRootFilesystem',
    'boolean',
  ),
  L('privileged|privileged mode', 'container', 'securityContext.privileged', 'boolean'),
  L('stdin|standard input|interactive', 'container', 'stdin', 'boolean'),
  L('stdin once', 'container', 'stdinOnce', 'boolean'),
  L('tty|terminal|pseudo terminal', 'container', 'tty', 'boolean'),
  L('image|container image|image registry|registry', 'container', 'image', 'string', undefined, 'docker.io/library/nginx:1.25'),
  L('image pull policy|pull policy', 'container', 'imagePullPolicy', 'string', undefined, 'Never'),
  L('working directory|workingdir|working dir', 'container', 'workingDir', 'string', undefined, '/tmp'),
  L('container port|containerport|listen port|privileged port', 'container', 'ports.*.containerPort', 'number', undefined, 80),
  L('host ip|hostip', 'container', 'ports.*.hostIP', 'string', undefined, '0.0.0.0'),
  L('post start|poststart|post start hook', 'container', 'lifecycle.postStart', 'object', undefined, {
    exec: { command: ['sh', '-c', 'true'] },
  }),
  L('pre stop|prestop|pre stop hook', 'container', 'lifecycle.preStop', 'object', undefined, { exec: { command: ['sh', '-c', 'true'] } }),
  L('startup probe|startupprobe', 'container', 'startupProbe', 'object', undefined, { tcpSocket: { port: 8080 } }),
  L('termination message policy', 'container', 'terminationMessagePolicy', 'string', undefined, 'File'),
  L('termination message path', 'container', 'terminationMessagePath', 'string', undefined, '/tmp/log'),
  L('env from|envfrom|environment from', 'container', 'envFrom', 'list', undefined, [{ configMapRef: { name: 'kpc-example' } }]),
  L('volume device|volumedevice|raw block device|block device', 'container', 'volumeDevices', 'list', undefined, [
    { name: 'raw', devicePath: '/dev/xvda' },
  ]),
  L(
    'mount propagation|mountpropagation|bidirectional',
    'container',
    'volumeMounts.*.mountPropagation',
    'string',
    undefined,
    'Bidirectional',
  ),
  L('sub path|subpath', 'container', 'volumeMounts.*.subPath', 'string', undefined, 'data'),
  L('run as user|runasuser|uid|user id', 'container', 'securityContext.runAsUser', 'number', undefined, 0),
  L('gpu|nvidia', 'container', ['resources', 'limits', 'nvidia.com/gpu'], 'number', undefined, 1),
  L('host alias|hostalias|etc hosts|hosts file', 'pod', 'hostAliases', 'list', undefined, [{ ip: '10.0.0.1', hostnames: ['db.example'] }]),
  L('dns policy|dnspolicy', 'pod', 'dnsPolicy', 'string', undefined, 'Default'),
  L('dns config|dnsconfig|nameserver', 'pod', 'dnsConfig', 'object', undefined, { nameservers: ['8.8.8.8'] }),
  L('node name|nodename|pin node|bypass scheduler', 'pod', 'nodeName', 'string', undefined, 'node-1'),
  L('node selector|nodeselector', 'pod', 'nodeSelector', 'object', undefined, { 'kubernetes.io/hostname': 'node-1' }),
  L('priority class|priorityclassname|priority', 'pod', 'priorityClassName', 'string', undefined, 'system-node-critical'),
  L('runtime class|runtimeclassname|sandbox runtime', 'pod', 'runtimeClassName', 'string', undefined, 'runc'),
  L('scheduler name|schedulername|custom scheduler|scheduler', 'pod', 'schedulerName', 'string', undefined, 'my-scheduler'),
  L('termination grace period|grace period|terminationgraceperiodsecond', 'pod', 'terminationGracePeriodSeconds', 'number', undefined, 600),
  L('active deadline|activedeadlinesecond', 'pod', 'activeDeadlineSeconds', 'number', undefined, 100000),
  L('service link|enableservicelink|service environment variable', 'pod', 'enableServiceLinks', 'boolean'),
  L('restart policy|restartpolicy', 'pod', 'restartPolicy', 'string', undefined, 'Never'),
  L('hostname|host name', 'pod', 'hostname', 'string', undefined, 'db-0'),
  L('subdomain', 'pod', 'subdomain', 'string', undefined, 'db'),
  L('preemption policy|preemption', 'pod', 'preemptionPolicy', 'string', undefined, 'PreemptLowerPriority'),
  L('overhead', 'pod', 'overhead', 'object', undefined, { cpu: '250m' }),
  L('nfs|nfs volume|network file system', 'pod', 'volumes.*.nfs', 'object', undefined, { server: 'nfs.example', path: '/exports' }),
  L('git repo|gitrepo|git volume', 'pod', 'volumes.*.gitRepo', 'object', undefined, { repository: 'https://example/repo.git' }),
  L('toleration|tolerate|taint', 'pod', 'tolerations.*.operator', 'string', undefined, 'Exists'),
  L('service type|externalname|external name|type service', 'object', 'spec.type', 'string', ['Service'], 'ExternalName'),
  L('external traffic policy|externaltrafficpolicy', 'object', 'spec.externalTrafficPolicy', 'string', ['Service'], 'Local'),
  L('session affinity|sessionaffinity|sticky session', 'object', 'spec.sessionAffinity', 'string', ['Service'], 'ClientIP'),
  L(
    'load balancer source range|loadbalancersourcerange|source range',
    'object',
    'spec.loadBalancerSourceRanges',
    'list',
    ['Service'],
    ['0.0.0.0/0'],
  ),
  L('load balancer ip|loadbalancerip', 'object', 'spec.loadBalancerIP', 'string', ['Service'], '203.0.113.10'),
  L(
    'server snippet|server-snippet|nginx snippet',
    'object',
    ['metadata', 'annotations', 'nginx.ingress.kubernetes.io/server-snippet'],
    'string',
    ['Ingress'],
    'return 200;',
  ),
  L(
    'configuration snippet|configuration-snippet',
    'object',
    ['metadata', 'annotations', 'nginx.ingress.kubernetes.io/configuration-snippet'],
    'string',
    ['Ingress'],
    'more_set_headers "X: y";',
  ),
  L(
    'ssl redirect|ssl-redirect',
    'object',
    ['metadata', 'annotations', 'nginx.ingress.kubernetes.io/ssl-redirect'],
    'string',
    ['Ingress'],
    'false',
  ),
  L('default backend|defaultbackend', 'object', 'spec.defaultBackend', 'object', ['Ingress'], {
    service: { name: 'x', port: { number: 80 } },
  }),
  L(
    'revision history|revisionhistorylimit|history limit',
    'object',
    'spec.revisionHistoryLimit',
    'number',
    ['Deployment', 'StatefulSet', 'DaemonSet'],
    50,
  ),
  L('progress deadline|progressdeadlinesecond', 'object', 'spec.progressDeadlineSeconds', 'number', ['Deployment'], 3600),
  L('strategy|rollout strategy|recreate', 'object', 'spec.strategy.type', 'string', ['Deployment'], 'Recreate'),
  L('min ready|minreadysecond', 'object', 'spec.minReadySeconds', 'number', ['Deployment', 'StatefulSet', 'DaemonSet'], 0),
  L('pod management policy|podmanagementpolicy', 'object', 'spec.podManagementPolicy', 'string', ['StatefulSet'], 'Parallel'),
  L('schedule|cron schedule|every minute', 'object', 'spec.schedule', 'string', ['CronJob'], '* * * * *'),
  L('suspend|suspended', 'object', 'spec.suspend', 'boolean', ['CronJob', 'Job']),
  L('starting deadline|startingdeadlinesecond', 'object', 'spec.startingDeadlineSeconds', 'number', ['CronJob'], 10),
  L('successful job history|successfuljobshistorylimit', 'object', 'spec.successfulJobsHistoryLimit', 'number', ['CronJob'], 100),
  L('time zone|timezone', 'object', 'spec.timeZone', 'string', ['CronJob'], 'Etc/UTC'),
  L('parallelism|parallel pod', 'object', 'spec.parallelism', 'number', ['Job'], 100),
  L('completion|completions', 'object', 'spec.completions', 'number', ['Job'], 1000),
  L('job deadline|job active deadline', 'object', 'spec.activeDeadlineSeconds', 'number', ['Job'], 100000),
  L('storage class|storageclassname|storageclass', 'object', 'spec.storageClassName', 'string', ['PersistentVolumeClaim'], 'hostpath'),
  L('access mode|readwritemany|read write many', 'object', 'spec.accessModes.*', 'string', ['PersistentVolumeClaim'], 'ReadWriteMany'),
  L('volume mode|block volume', 'object', 'spec.volumeMode', 'string', ['PersistentVolumeClaim'], 'Block'),
  L('secret type|basic auth|ssh auth', 'object', 'type', 'string', ['Secret'], 'kubernetes.io/basic-auth'),
  L('immutable', 'object', 'immutable', 'boolean', ['Secret', 'ConfigMap']),
  L('hpa|autoscaler|max replicas|maxreplicas', 'object', 'spec.maxReplicas', 'number', ['HorizontalPodAutoscaler'], 100),
  L('replica|replicas|replica count', 'object', 'spec.replicas', 'number', ['Deployment', 'StatefulSet', 'ReplicaSet'], 50),
  L('finalizer|finalizers', 'object', 'metadata.finalizers', 'list', undefined, ['example.com/block']),
];

/** Kind names and the words that mean them. */
const KIND_WORDS: [string, string[]][] = [
  ['Pod', ['pod', 'pods']],
  ['Deployment', ['deployment', 'deployments']],
  ['StatefulSet', ['statefulset', 'statefulsets', 'stateful set']],
  ['DaemonSet', ['daemonset', 'daemonsets', 'daemon set']],
  ['ReplicaSet', ['replicaset', 'replicasets']],
  ['Job', ['job', 'jobs']],
  ['CronJob', ['cronjob', 'cronjobs', 'cron job', 'cron jobs']],
  ['Service', ['service', 'services']],
  ['Ingress', ['ingress', 'ingresses']],
  ['ConfigMap', ['configmap', 'configmaps']],
  ['Secret', ['secret', 'secrets']],
  ['PersistentVolumeClaim', ['persistentvolumeclaim', 'persistentvolumeclaims', 'pvc', 'pvcs', 'volume claim', 'volume claims']],
  ['HorizontalPodAutoscaler', ['horizontalpodautoscaler', 'hpa', 'hpas', 'autoscaler']],
  ['Namespace', ['namespace', 'namespaces']],
];

export type Candidate = {
  constraint: Constraint;
  score: number;
  samples: { violating?: unknown; compliant?: unknown };
};

// ---------------------------------------------------------------------------------------------
// evaluation of a constraint in TypeScript (mirrors the generated Rego; used to rank candidates)

function scopedRoots(c: Pick<Constraint, 'scope' | 'kinds'>, manifest: unknown): unknown[] {
  if (!isObject(manifest) || typeof manifest.kind !== 'string' || !c.kinds.includes(manifest.kind)) return [];
  if (c.scope === 'object') return [manifest];
  if (c.scope === 'pod') {
    const spec = podSpecOf(manifest);
    return spec ? [spec] : [];
  }
  return containersOf(manifest).map((entry) => entry.container);
}

function compare(op: Constraint['operator'], value: unknown, target: unknown): boolean {
  switch (op) {
    case 'equals':
      return JSON.stringify(value) === JSON.stringify(target);
    case 'not-equals':
      return JSON.stringify(value) !== JSON.stringify(target);
    case 'in':
      return Array.isArray(target) && target.some((t) => JSON.stringify(t) === JSON.stringify(value));
    case 'not-in':
      return Array.isArray(target) && !target.some((t) => JSON.stringify(t) === JSON.stringify(value));
    case 'regex':
      return typeof value === 'string' && new RegExp(String(target)).test(value);
    case 'not-regex':
      return typeof value === 'string' && !new RegExp(String(target)).test(value);
    case 'present':
      return true;
    case 'lt':
      return typeof value === 'number' && value < (target as number);
    case 'lte':
      return typeof value === 'number' && value <= (target as number);
    case 'gt':
      return typeof value === 'number' && value > (target as number);
    case 'gte':
      return typeof value === 'number' && value >= (target as number);
    default:
      return false;
  }
}

/** Whether the constraint denies the manifest (the semantics the generated Rego implements). */
export function constraintDenies(c: Constraint, manifest: unknown): boolean {
  for (const root of scopedRoots(c, manifest)) {
    if (c.operator === 'missing') {
      if (missingAt(root, c.path)) return true;
      continue;
    }
    for (const value of valuesAt(root, c.path)) if (compare(c.operator, value, c.value)) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// intent reading

const NUMBER = '(-?\\d+(?:\\.\\d+)?)';

function quotedValues(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"]+)"|`([^`]+)`|'([^'\s][^']*)'/g)) out.push((m[1] ?? m[2] ?? m[3]) as string);
  return out;
}

function coerce(raw: string): string | number | boolean {
  if (/^-?\d+(\.\d+)?$/.test(raw)) return Number(raw);
  if (raw === 'true' || raw === 'false') return raw === 'true';
  return raw;
}

/** A JavaScript test of an RE2 pattern (they agree on the simple patterns the generator writes). */
function safeTest(pattern: string, text: string): boolean {
  try {
    return new RegExp(pattern).test(text);
  } catch {
    return false;
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

type IntentOperator = { operator: Constraint['operator']; value?: Constraint['value']; cue: string };

/** The operator and value the intent's words ask for, given the field's type. */
export function readOperator(intent: string, type: FieldType): IntentOperator {
  const text = intent.toLowerCase();
  const values = quotedValues(intent).map(coerce);
  const num = (re: string) => text.match(new RegExp(re))?.[1];
  const upper = num(
    `(?:more than|greater than|above|over|exceeds?|exceeding|higher than|at most|no more than|maximum of|maximum|max|up to|longer than|larger than)\\s+${NUMBER}`,
  );
  if (upper !== undefined) {
    const inclusive = /(at most|no more than|maximum|max|up to)\s/.test(text);
    return { operator: 'gt', value: Number(upper), cue: inclusive ? 'upper bound (inclusive)' : 'upper bound' };
  }
  const lower = num(`(?:less than|fewer than|below|under|lower than|shorter than|at least|minimum of|minimum|min)\\s+${NUMBER}`);
  if (lower !== undefined) return { operator: 'lt', value: Number(lower), cue: 'lower bound' };
  const negative =
    /\b(must not|mustn't|should not|shouldn't|cannot|can't|may not|never|disallow\w*|forbid\w*|prohibit\w*|block\w*|prevent\w*|not allowed|no longer|reject\w*)\b|\bno\b|\bdeny\b|\bdenies\b/.test(
      text,
    );
  const missing =
    /\b(without|missing|lacks?|lacking|(?:that|which|who) do(?:es)? not (?:set|have|define|specify|declare)|(?:is|are) not set|unset)\b/.test(
      text,
    );
  const requirement = /\b(must (?:set|have|define|specify|declare|include|carry|use)|require[sd]?|mandatory|always set)\b/.test(text);
  const onlyList =
    /\b(only|one of|allow-?list|approved|either)\b/.test(text) ||
    (/\b(allowed|permitted)\b/.test(text) && !/\b(not|never|no longer) (?:be )?(allowed|permitted)\b/.test(text));
  const prefix = text.match(
    /\b(?:start(?:s|ing)? with|begin(?:s|ning)? with|prefix(?:ed)? (?:with|by)?|come from|from)\s+["'`]?([a-z0-9][a-z0-9./:_-]*)/,
  );
  const pattern = intent.match(/\/(\^?[^/\s]+\$?)\//)?.[1];
  if (pattern) return { operator: negative && !onlyList ? 'regex' : 'not-regex', value: pattern, cue: 'regular expression' };
  if (type === 'string' && prefix && !values.length) {
    const prefixValue = `^${escapeRegex(prefix[1] as string)}`;
    return negative && !onlyList
      ? { operator: 'regex', value: prefixValue, cue: 'prefix (forbidden)' }
      : { operator: 'not-regex', value: prefixValue, cue: 'prefix (required)' };
  }
  if (values.length > 1)
    return onlyList && !/\bnot (?:be )?(?:one of|any of)\b/.test(text)
      ? { operator: 'not-in', value: values, cue: 'allowed values' }
      : { operator: 'in', value: values, cue: 'forbidden values' };
  if (values.length === 1) {
    const [value] = values as [string | number | boolean];
    if (onlyList || (requirement && !negative)) return { operator: 'not-equals', value, cue: 'required value' };
    return { operator: 'equals', value, cue: 'forbidden value' };
  }
  if (type === 'boolean') {
    const saysFalse = /\b(false|disabled?|off)\b/.test(text);
    const saysTrue = /\b(true|enabled?|on)\b/.test(text);
    // "must not be true", "must be false", "disable X" → deny true; "must not be false", "must be true" → deny false
    if (negative)
      return saysFalse && !saysTrue
        ? { operator: 'equals', value: false, cue: 'flag must not be disabled' }
        : { operator: 'equals', value: true, cue: 'flag must not be enabled' };
    if (saysFalse) return { operator: 'equals', value: true, cue: 'flag must be disabled' };
    if (missing) return { operator: 'missing', cue: 'required field' };
    return { operator: 'equals', value: false, cue: 'flag must be enabled' };
  }
  if (missing || (requirement && !negative)) return { operator: 'missing', cue: 'required field' };
  return { operator: 'present', cue: 'field must not be set' };
}

/** The kinds a text names. */
export function kindsNamed(text: string): string[] {
  const lower = ` ${text.toLowerCase().replace(/[^a-z0-9 ]+/g, ' ')} `;
  const out: string[] = [];
  for (const [kind, words] of KIND_WORDS) if (words.some((w) => lower.includes(` ${w} `))) out.push(kind);
  // "pod"/"pods" in a workload sense means every workload
  if (out.length === 1 && out[0] === 'Pod' && /\b(workloads?|controllers?)\b/.test(lower)) return [...WORKLOAD_KINDS];
  return out;
}

function lexiconScore(entry: LexiconEntry, tokens: Set<string>, lowerIntent: string): number {
  let best = 0;
  for (const phrase of entry.phrases) {
    const words = tokenize(phrase);
    if (!words.length) continue;
    if (words.every((w) => tokens.has(w))) best = Math.max(best, words.length * 2);
    else if (lowerIntent.includes(phrase.toLowerCase())) best = Math.max(best, 2);
  }
  // the field's own name as written (camelCase) counts too
  const last = entry.path[entry.path.length - 1] as string;
  if (lowerIntent.includes(last.toLowerCase()) && last.length > 4) best = Math.max(best, 3 + last.length / 10);
  return best;
}

// ---------------------------------------------------------------------------------------------
// candidates from the examples (diff must-deny against must-allow)

type Facts = Map<string, unknown[]>;

const SKIPPED_OBJECT_PATHS = [
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata', 'uid'],
  ['metadata', 'resourceVersion'],
  ['metadata', 'creationTimestamp'],
  ['status'],
];

function scopeFacts(scope: Scope, manifest: unknown): Facts[] {
  if (scope === 'object') {
    const kind = isObject(manifest) ? String(manifest.kind) : '';
    const spec = podSpecPath(kind);
    return [
      flatten(
        manifest,
        (path) =>
          SKIPPED_OBJECT_PATHS.some((s) => s.every((k, i) => path[i] === k)) ||
          (spec?.every((k, i) => path[i] === k) === true && path.length >= spec.length),
      ),
    ];
  }
  if (scope === 'pod') {
    const spec = podSpecOf(manifest);
    return spec ? [flatten(spec, (path) => (CONTAINER_LISTS as readonly string[]).includes(path[0] as string))] : [];
  }
  return containersOf(manifest).map((entry) => flatten(entry.container, (path) => path[0] === 'name'));
}

function valueSlug(value: unknown): string {
  return String(Array.isArray(value) ? value[0] : value)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 20);
}

function candidatesFromExamples(request: DraftRequest, kinds: string[]): Candidate[] {
  const deny = request.examples.deny;
  const allow = request.examples.allow;
  if (!deny.length) return [];
  const out: Candidate[] = [];
  const scopes: Scope[] = deny.every((m) => podSpecOf(m)) ? ['container', 'pod', 'object'] : ['object'];
  for (const scope of scopes) {
    const denyFacts = deny.map((m) => scopeFacts(scope, m));
    const allowFacts = allow.map((m) => scopeFacts(scope, m));
    const paths = new Set<string>();
    for (const facts of [...denyFacts, ...allowFacts]) for (const f of facts) for (const key of f.keys()) paths.add(key);
    for (const key of paths) {
      const path = JSON.parse(key) as string[];
      const values = (factsList: Facts[][]) =>
        factsList.map((facts) => facts.flatMap((f) => f.get(key) ?? []).filter((v) => v !== null && typeof v !== 'object'));
      const denyValues = values(denyFacts);
      const allowValues = values(allowFacts);
      const allowSet = new Set(allowValues.flat().map((v) => JSON.stringify(v)));
      const base = { kinds, scope, path, derivedFrom: ['examples'] };
      const tryAdd = (
        operator: Constraint['operator'],
        value: Constraint['value'],
        expectation: string,
        prior: number,
        samples: Candidate['samples'],
      ) => {
        const constraint: Constraint = { ...base, operator, ...(value !== undefined ? { value } : {}), expectation };
        if (deny.every((m) => constraintDenies(constraint, m)) && allow.every((m) => !constraintDenies(constraint, m))) {
          out.push({ constraint, score: prior, samples });
        }
      };
      const field = displayPath(path);
      // present in every deny example, absent from every allow example
      if (denyValues.every((v) => v.length) && allowValues.every((v) => !v.length)) {
        const sample = denyValues[0]?.[0];
        if (typeof sample === 'boolean') tryAdd('equals', sample, `${field} must not be ${sample}`, 3, {});
        else tryAdd('present', undefined, `${field} must not be set`, 2, { violating: sample });
      }
      // values shared by the deny examples that no allow example has
      const first = denyValues[0] ?? [];
      for (const v of new Set(first.map((x) => JSON.stringify(x)))) {
        if (allowSet.has(v)) continue;
        const value = JSON.parse(v) as string | number | boolean;
        if (denyValues.every((vals) => vals.some((x) => JSON.stringify(x) === v))) {
          tryAdd('equals', value, `${field} must not be ${JSON.stringify(value)}`, 2.5, {});
        }
      }
      const denyUnion = [...new Set(denyValues.flat().map((x) => JSON.stringify(x)))].map(
        (x) => JSON.parse(x) as string | number | boolean,
      );
      if (denyUnion.length > 1 && denyUnion.every((x) => !allowSet.has(JSON.stringify(x))))
        tryAdd('in', denyUnion, `${field} must not be one of ${JSON.stringify(denyUnion)}`, 2, {});
      // numeric separation
      const denyNums = denyValues.flat().filter((x): x is number => typeof x === 'number');
      const allowNums = allowValues.flat().filter((x): x is number => typeof x === 'number');
      if (denyNums.length && allowNums.length) {
        if (Math.min(...denyNums) > Math.max(...allowNums))
          tryAdd('gt', Math.max(...allowNums), `${field} must be at most ${Math.max(...allowNums)}`, 2.2, {});
        if (Math.max(...denyNums) < Math.min(...allowNums))
          tryAdd('lt', Math.min(...allowNums), `${field} must be at least ${Math.min(...allowNums)}`, 2.2, {});
      }
      // string prefixes the deny examples share and no allow example has
      const denyStrings = denyValues.flat().filter((x): x is string => typeof x === 'string');
      if (denyStrings.length && denyStrings.length === denyValues.flat().length) {
        let common = denyStrings[0] as string;
        for (const s of denyStrings) while (!s.startsWith(common)) common = common.slice(0, -1);
        const cut = common.search(/[/:.@][^/:.@]*$/);
        const stem = cut > 0 ? common.slice(0, cut + 1) : common;
        if (stem.length >= 3)
          tryAdd('regex', `^${escapeRegex(stem)}`, `${field} must not start with ${JSON.stringify(stem)}`, 1.8, {
            violating: denyStrings[0],
          });
      }
      // absent from every deny example, present in every allow example
      if (allow.length && denyValues.every((v) => !v.length) && allowValues.every((v) => v.length)) {
        tryAdd('missing', undefined, `${field} must be set`, 1.5, { compliant: allowValues[0]?.[0] });
      }
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

export type OfflineContext = {
  request: DraftRequest;
  retrieved: Provenance[];
  /** ids of the corpus (a new id must not collide) */
  corpusIds: string[];
  /** descriptions of candidates the guardrails already rejected (the repair loop's feedback) */
  rejected: string[];
  attempt: number;
};

function defaultKinds(request: DraftRequest, retrieved: Provenance[], entry?: LexiconEntry): string[] {
  if (request.kinds?.length) return request.kinds;
  const fromExamples = [...new Set(request.examples.deny.map((m) => m.kind))];
  if (fromExamples.length) {
    if (fromExamples.every((k) => WORKLOAD_KINDS.includes(k))) return [...WORKLOAD_KINDS];
    return fromExamples;
  }
  const named = kindsNamed(request.intent);
  if (entry?.kinds) {
    const both = named.filter((k) => entry.kinds?.includes(k));
    return both.length ? both : entry.kinds;
  }
  if (entry && entry.scope !== 'object') {
    const workloads = named.filter((k) => WORKLOAD_KINDS.includes(k));
    // "pods" or "containers" alone: every workload kind (a Deployment's pods are pods too)
    return workloads.length && !(workloads.length === 1 && workloads[0] === 'Pod') ? workloads : [...WORKLOAD_KINDS];
  }
  if (named.length) return named;
  return retrieved[0]?.kinds.filter((k) => k !== '*') ?? [...WORKLOAD_KINDS];
}

/** Every candidate constraint for the request, best first. */
export function deriveCandidates(request: DraftRequest, retrieved: Provenance[]): Candidate[] {
  const tokens = new Set(tokenize(request.intent));
  const lower = request.intent.toLowerCase();
  const named = kindsNamed(request.intent);
  const onlyOtherKinds = named.length > 0 && named.every((k) => !WORKLOAD_KINDS.includes(k));
  const kindFit = (entry: LexiconEntry) => {
    if (entry.kinds?.some((k) => named.includes(k) || request.kinds?.includes(k))) return 2;
    if (entry.scope !== 'object' && onlyOtherKinds) return -3;
    return 0;
  };
  const scored = LEXICON.map((entry) => {
    const base = lexiconScore(entry, tokens, lower);
    return { entry, score: base > 0 ? base + kindFit(entry) : 0 };
  })
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score);
  const out: Candidate[] = [];
  const pathTokens = (path: string[]) => new Set(tokenize(path.filter((p) => p !== '*').join(' ')));
  if (request.examples.deny.length) {
    const kinds = defaultKinds(request, retrieved);
    for (const candidate of candidatesFromExamples(request, kinds)) {
      const overlap = [...pathTokens(candidate.constraint.path)].filter((t) => tokens.has(t)).length;
      const lexicon = scored.find(
        (x) => x.entry.scope === candidate.constraint.scope && x.entry.path.join('.') === candidate.constraint.path.join('.'),
      );
      const wanted = readOperator(
        request.intent,
        typeof candidate.constraint.value === 'number' ? 'number' : typeof candidate.constraint.value === 'boolean' ? 'boolean' : 'string',
      );
      const sameOperator = wanted.operator === candidate.constraint.operator ? 1 : 0;
      const metadataPenalty = candidate.constraint.path[0] === 'metadata' && overlap === 0 ? 2 : 0;
      candidate.score += overlap * 3 + (lexicon ? lexicon.score : 0) + sameOperator - metadataPenalty;
      out.push(candidate);
    }
  }
  for (const { entry, score } of scored) {
    const kinds = defaultKinds(request, retrieved, entry);
    const read = readOperator(request.intent, entry.type);
    let { operator, value } = read;
    if ((operator === 'regex' || operator === 'not-regex') && entry.type === 'number') continue;
    if ((operator === 'gt' || operator === 'lt') && entry.type !== 'number') continue;
    if (entry.type === 'number' && (operator === 'present' || operator === 'equals') && value === undefined) operator = 'present';
    if (typeof value === 'string' && entry.type === 'number' && /^\d+$/.test(value)) value = Number(value);
    const field = displayPath(entry.path);
    const expectation = expectationFor(operator, field, value);
    const constraint: Constraint = {
      kinds,
      scope: entry.scope,
      path: entry.path,
      operator,
      ...(value !== undefined ? { value } : {}),
      expectation,
      derivedFrom: ['intent', `lexicon:${entry.path.join('.')}`, `cue:${read.cue}`],
    };
    // the examples must agree with it
    if (
      request.examples.deny.some((m) => !constraintDenies(constraint, m)) ||
      request.examples.allow.some((m) => constraintDenies(constraint, m))
    )
      continue;
    const samples: Candidate['samples'] = {};
    if (operator === 'present' || operator === 'regex') samples.violating = entry.sample;
    if (operator === 'missing') samples.compliant = entry.sample;
    if ((operator === 'regex' || operator === 'not-regex') && typeof value === 'string') {
      const literal = `${value.replace(/^\^/, '').replace(/\\(.)/g, '$1')}example`;
      const matching = [entry.sample, literal].find((x) => typeof x === 'string' && safeTest(value, x));
      const other = ['kpc-elsewhere.example/x', 'kpc-example'].find((x) => !safeTest(value, x));
      if (operator === 'regex') samples.violating = matching;
      else {
        samples.violating = other;
        samples.compliant = matching;
      }
    }
    out.push({ constraint, score: score + 1, samples });
  }
  // unique by what they deny
  const seen = new Set<string>();
  return out
    .sort((a, b) => b.score - a.score)
    .filter((c) => {
      const key = describeConstraint(c.constraint);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

function expectationFor(operator: Constraint['operator'], field: string, value: unknown): string {
  switch (operator) {
    case 'equals':
      return `${field} must not be ${JSON.stringify(value)}`;
    case 'not-equals':
      return `${field} must be ${JSON.stringify(value)}`;
    case 'in':
      return `${field} must not be one of ${JSON.stringify(value)}`;
    case 'not-in':
      return `${field} must be one of ${JSON.stringify(value)}`;
    case 'regex':
      return `${field} must not match ${JSON.stringify(value)}`;
    case 'not-regex':
      return `${field} must match ${JSON.stringify(value)}`;
    case 'missing':
      return `${field} must be set`;
    case 'present':
      return `${field} must not be set`;
    case 'gt':
      return `${field} must be at most ${value}`;
    case 'gte':
      return `${field} must be below ${value}`;
    case 'lt':
      return `${field} must be at least ${value}`;
    case 'lte':
      return `${field} must be above ${value}`;
  }
}

const KIND_PREFIX: Record<string, string> = {
  Service: 'svc',
  Ingress: 'ingress',
  Job: 'job',
  CronJob: 'cronjob',
  ConfigMap: 'configmap',
  Secret: 'secrets',
  Namespace: 'namespace',
  NetworkPolicy: 'netpol',
  PersistentVolumeClaim: 'pvc',
  HorizontalPodAutoscaler: 'hpa',
  Deployment: 'deployment',
  StatefulSet: 'statefulset',
  DaemonSet: 'daemonset',
};

/** A kebab-case id for the constraint, not colliding with the corpus. */
export function policyIdFor(c: Constraint, corpusIds: string[]): string {
  const prefix =
    c.scope === 'container'
      ? 'container'
      : c.scope === 'pod'
        ? 'pod'
        : (KIND_PREFIX[c.kinds[0] as string] ?? (c.kinds[0] as string).toLowerCase());
  const last = c.path
    .filter((p) => p !== '*' && p !== 'spec' && p !== 'metadata' && p !== 'annotations')
    .map((p) => p.split('/').pop() as string);
  const field = (last.slice(-2).join('-') || 'field')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const suffix: Record<Constraint['operator'], string> = {
    equals: `not-${valueSlug(c.value)}`,
    in: `not-${valueSlug(c.value)}`,
    'not-equals': 'allowed',
    'not-in': 'allowed',
    regex: 'forbidden-pattern',
    'not-regex': 'allowed-pattern',
    missing: 'required',
    present: 'forbidden',
    gt: 'max',
    gte: 'max',
    lt: 'min',
    lte: 'min',
  };
  let id = `${prefix}-${field}-${suffix[c.operator]}`.replace(/-+/g, '-').replace(/-$/, '').replace(/-$/, '');
  while (id.length > 55) id = id.replace(/-[a-z0-9]+$/, '');
  if (corpusIds.includes(id)) id = `${id}-v2`;
  return id;
}

const CATEGORY_BY_SCOPE: Record<Scope, Draft['category']> = { container: 'pod-security', pod: 'pod-security', object: 'metadata' };
const CATEGORY_BY_KIND: Record<string, Draft['category']> = {
  Service: 'networking',
  Ingress: 'networking',
  NetworkPolicy: 'networking',
  Secret: 'secrets',
  ConfigMap: 'secrets',
  Namespace: 'namespaces',
  Deployment: 'availability',
  StatefulSet: 'availability',
  PersistentVolumeClaim: 'resources',
  HorizontalPodAutoscaler: 'resources',
  Job: 'resources',
  CronJob: 'resources',
};

function sentence(text: string): string {
  const first = text.split(/(?<=[.!?])\s/)[0]?.trim() ?? text;
  const cut = first.length > 90 ? `${first.slice(0, 87).replace(/\s+\S*$/, '')}…` : first;
  return cut.charAt(0).toUpperCase() + cut.slice(1).replace(/[.!?]$/, '');
}

export class NoCandidateError extends Error {
  constructor(readonly reasons: string[]) {
    super(`the offline generator found no constraint for this request: ${reasons.join('; ')}`);
    this.name = 'NoCandidateError';
  }
}

/** The offline draft for this attempt: the best candidate not yet rejected. */
export function generateOffline(context: OfflineContext): Draft {
  const { request } = context;
  const candidates = deriveCandidates(request, context.retrieved);
  const fresh = candidates.filter((c) => !context.rejected.includes(describeConstraint(c.constraint)));
  const chosen = fresh[0];
  if (!chosen) {
    const reasons = candidates.length
      ? [`all ${candidates.length} candidate constraints were rejected by the guardrails`]
      : [
          request.examples.deny.length
            ? 'no field separates the must-deny examples from the must-allow examples'
            : 'the intent names no field the generator knows; add must-deny and must-allow examples, or configure an LLM (PAC_LLM_BASE_URL)',
        ];
    throw new NoCandidateError(reasons);
  }
  const c = chosen.constraint;
  const policyId = request.policyId ?? policyIdFor(c, context.corpusIds);
  const title = sentence(request.intent);
  // small, readable test inputs: up to three kinds, preferring ones whose pod spec sits at different depths
  const preferred = ['Deployment', 'Pod', 'CronJob', 'Service', 'Ingress'];
  const kinds = [...c.kinds].sort((a, b) => (preferred.indexOf(a) + 1 || 99) - (preferred.indexOf(b) + 1 || 99)).slice(0, 3);
  const testBases: TestBase[] = kinds.map((kind) => ({ kind, manifest: synthesize(kind), source: 'synthesized' }));
  const policy = writePolicy(policyId, title, c);
  const tests = writeTests(policyId, c, testBases, request, chosen.samples);
  const category = request.category ?? CATEGORY_BY_KIND[c.kinds[0] as string] ?? CATEGORY_BY_SCOPE[c.scope];
  const scopeWords =
    c.scope === 'container'
      ? 'every container (containers, initContainers, ephemeralContainers) of'
      : c.scope === 'pod'
        ? 'the pod spec of'
        : '';
  return {
    policyId,
    packageName: packageOf(policyId),
    title,
    description:
      `${request.intent.trim()} Denies ${c.kinds.join(', ')} objects when ${displayPath(c.path)} of ${scopeWords || 'the object'} violates: ${c.expectation}. Parameters: ${constraintParameters(
        c,
      )
        .map((p) => p.name)
        .join(', ')}.`.replace(/\s+/g, ' '),
    kinds: c.kinds,
    severity: request.severity,
    category,
    message: `<Kind> <namespace>/<name>: ${c.scope === 'container' ? 'container "<name>" (<list>) ' : ''}sets ${displayPath(c.path)}=<value>; ${c.expectation}`,
    policy,
    tests,
    generator: 'offline',
    constraint: c,
    attempt: context.attempt,
  };
}

/** A minimal object of a kind that has no house-standard fixture, for tests. */
export function synthesize(kind: string): Record<string, unknown> {
  const metadata = { name: 'kpc-example', namespace: 'shop', labels: { 'app.kubernetes.io/name': 'kpc-example' } };
  const apiVersion: Record<string, string> = {
    Pod: 'v1',
    PersistentVolumeClaim: 'v1',
    Secret: 'v1',
    ConfigMap: 'v1',
    Service: 'v1',
    Namespace: 'v1',
    Ingress: 'networking.k8s.io/v1',
    HorizontalPodAutoscaler: 'autoscaling/v2',
    CronJob: 'batch/v1',
    Job: 'batch/v1',
  };
  const container = { name: 'app', image: 'registry.internal.example/shop/app:1.0.0' };
  const spec = podSpecPath(kind);
  if (spec) {
    const manifest: Record<string, unknown> = { apiVersion: apiVersion[kind] ?? 'apps/v1', kind, metadata };
    let node: Record<string, unknown> = manifest;
    for (const key of spec) {
      node[key] = node[key] ?? {};
      node = node[key] as Record<string, unknown>;
    }
    node.containers = [container];
    return manifest;
  }
  return { apiVersion: apiVersion[kind] ?? 'v1', kind, metadata, spec: {} };
}

/** For messages and the status query: which fields the generator looked at. */
export function explainCandidate(c: Constraint): string {
  return `${describeConstraint(c)} (from ${c.derivedFrom.join(', ')})`;
}

export { getAt };
