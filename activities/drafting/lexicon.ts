/**
 * The offline generator's vocabulary, as data only: the Kubernetes fields it knows (with the
 * phrases that name them), the words for each kind, and the tables it names drafts with.
 * intent.ts reads these; nothing here computes.
 */
import type { Constraint, Draft } from './schemas';

export type Scope = Constraint['scope'];
export type FieldType = 'boolean' | 'string' | 'number' | 'object' | 'list';

/**
 * One known field: phrases that name it ("|"-separated), its scope, its path ("."-separated, or a
 * list when a key holds a dot), what it holds, the kinds it belongs to (undefined: every kind of
 * the scope) and a value that shows a violation or a compliant value, for tests.
 */
export type LexiconRow = [phrases: string, scope: Scope, path: string | string[], type: FieldType, kinds?: string[], sample?: unknown];

export const LEXICON_ROWS: LexiconRow[] = [
  [
    'read only root filesystem|readonlyrootfilesystem|read only filesystem',
    'container',
    'securityContext.readOnlyRootFilesystem',
    'boolean',
  ],
  ['privileged|privileged mode', 'container', 'securityContext.privileged', 'boolean'],
  ['stdin|standard input|interactive', 'container', 'stdin', 'boolean'],
  ['stdin once', 'container', 'stdinOnce', 'boolean'],
  ['tty|terminal|pseudo terminal', 'container', 'tty', 'boolean'],
  ['image|container image|image registry|registry', 'container', 'image', 'string', undefined, 'docker.io/library/nginx:1.25'],
  ['image pull policy|pull policy', 'container', 'imagePullPolicy', 'string', undefined, 'Never'],
  ['working directory|workingdir|working dir', 'container', 'workingDir', 'string', undefined, '/tmp'],
  ['container port|containerport|listen port|privileged port', 'container', 'ports.*.containerPort', 'number', undefined, 80],
  ['host ip|hostip', 'container', 'ports.*.hostIP', 'string', undefined, '0.0.0.0'],
  [
    'post start|poststart|post start hook',
    'container',
    'lifecycle.postStart',
    'object',
    undefined,
    {
      exec: { command: ['sh', '-c', 'true'] },
    },
  ],
  ['pre stop|prestop|pre stop hook', 'container', 'lifecycle.preStop', 'object', undefined, { exec: { command: ['sh', '-c', 'true'] } }],
  ['startup probe|startupprobe', 'container', 'startupProbe', 'object', undefined, { tcpSocket: { port: 8080 } }],
  ['termination message policy', 'container', 'terminationMessagePolicy', 'string', undefined, 'File'],
  ['termination message path', 'container', 'terminationMessagePath', 'string', undefined, '/tmp/log'],
  ['env from|envfrom|environment from', 'container', 'envFrom', 'list', undefined, [{ configMapRef: { name: 'kpc-example' } }]],
  [
    'volume device|volumedevice|raw block device|block device',
    'container',
    'volumeDevices',
    'list',
    undefined,
    [{ name: 'raw', devicePath: '/dev/xvda' }],
  ],
  [
    'mount propagation|mountpropagation|bidirectional',
    'container',
    'volumeMounts.*.mountPropagation',
    'string',
    undefined,
    'Bidirectional',
  ],
  ['sub path|subpath', 'container', 'volumeMounts.*.subPath', 'string', undefined, 'data'],
  ['run as user|runasuser|uid|user id', 'container', 'securityContext.runAsUser', 'number', undefined, 0],
  ['environment variable|env var|env variable', 'container', 'env.*.name', 'string', undefined, 'KPC_EXAMPLE'],
  ['gpu|nvidia', 'container', ['resources', 'limits', 'nvidia.com/gpu'], 'number', undefined, 1],
  ['host alias|hostalias|etc hosts|hosts file', 'pod', 'hostAliases', 'list', undefined, [{ ip: '10.0.0.1', hostnames: ['db.example'] }]],
  ['dns policy|dnspolicy', 'pod', 'dnsPolicy', 'string', undefined, 'Default'],
  ['dns config|dnsconfig|nameserver', 'pod', 'dnsConfig', 'object', undefined, { nameservers: ['8.8.8.8'] }],
  ['node name|nodename|pin node|bypass scheduler', 'pod', 'nodeName', 'string', undefined, 'node-1'],
  ['node selector|nodeselector', 'pod', 'nodeSelector', 'object', undefined, { 'kubernetes.io/hostname': 'node-1' }],
  ['priority class|priorityclassname|priority', 'pod', 'priorityClassName', 'string', undefined, 'system-node-critical'],
  ['runtime class|runtimeclassname|sandbox runtime', 'pod', 'runtimeClassName', 'string', undefined, 'runc'],
  ['scheduler name|schedulername|custom scheduler|scheduler', 'pod', 'schedulerName', 'string', undefined, 'my-scheduler'],
  ['termination grace period|grace period|terminationgraceperiodsecond', 'pod', 'terminationGracePeriodSeconds', 'number', undefined, 600],
  ['active deadline|activedeadlinesecond', 'pod', 'activeDeadlineSeconds', 'number', undefined, 100000],
  ['service link|enableservicelink|service environment variable', 'pod', 'enableServiceLinks', 'boolean'],
  ['restart policy|restartpolicy', 'pod', 'restartPolicy', 'string', undefined, 'Never'],
  ['hostname|host name', 'pod', 'hostname', 'string', undefined, 'db-0'],
  ['subdomain', 'pod', 'subdomain', 'string', undefined, 'db'],
  ['preemption policy|preemption', 'pod', 'preemptionPolicy', 'string', undefined, 'PreemptLowerPriority'],
  ['overhead', 'pod', 'overhead', 'object', undefined, { cpu: '250m' }],
  ['nfs|nfs volume|network file system', 'pod', 'volumes.*.nfs', 'object', undefined, { server: 'nfs.example', path: '/exports' }],
  ['git repo|gitrepo|git volume', 'pod', 'volumes.*.gitRepo', 'object', undefined, { repository: 'https://example/repo.git' }],
  ['toleration|tolerate|taint', 'pod', 'tolerations.*.operator', 'string', undefined, 'Exists'],
  ['service type|externalname|external name|type service', 'object', 'spec.type', 'string', ['Service'], 'ExternalName'],
  ['external traffic policy|externaltrafficpolicy', 'object', 'spec.externalTrafficPolicy', 'string', ['Service'], 'Local'],
  ['session affinity|sessionaffinity|sticky session', 'object', 'spec.sessionAffinity', 'string', ['Service'], 'ClientIP'],
  [
    'load balancer source range|loadbalancersourcerange|source range',
    'object',
    'spec.loadBalancerSourceRanges',
    'list',
    ['Service'],
    ['0.0.0.0/0'],
  ],
  ['load balancer ip|loadbalancerip', 'object', 'spec.loadBalancerIP', 'string', ['Service'], '203.0.113.10'],
  [
    'server snippet|server-snippet|nginx snippet',
    'object',
    ['metadata', 'annotations', 'nginx.ingress.kubernetes.io/server-snippet'],
    'string',
    ['Ingress'],
    'return 200;',
  ],
  [
    'configuration snippet|configuration-snippet',
    'object',
    ['metadata', 'annotations', 'nginx.ingress.kubernetes.io/configuration-snippet'],
    'string',
    ['Ingress'],
    'more_set_headers "X: y";',
  ],
  [
    'ssl redirect|ssl-redirect',
    'object',
    ['metadata', 'annotations', 'nginx.ingress.kubernetes.io/ssl-redirect'],
    'string',
    ['Ingress'],
    'false',
  ],
  [
    'default backend|defaultbackend',
    'object',
    'spec.defaultBackend',
    'object',
    ['Ingress'],
    {
      service: { name: 'x', port: { number: 80 } },
    },
  ],
  [
    'revision history|revisionhistorylimit|history limit',
    'object',
    'spec.revisionHistoryLimit',
    'number',
    ['Deployment', 'StatefulSet', 'DaemonSet'],
    50,
  ],
  ['progress deadline|progressdeadlinesecond', 'object', 'spec.progressDeadlineSeconds', 'number', ['Deployment'], 3600],
  ['strategy|rollout strategy|recreate', 'object', 'spec.strategy.type', 'string', ['Deployment'], 'Recreate'],
  ['min ready|minreadysecond', 'object', 'spec.minReadySeconds', 'number', ['Deployment', 'StatefulSet', 'DaemonSet'], 0],
  ['pod management policy|podmanagementpolicy', 'object', 'spec.podManagementPolicy', 'string', ['StatefulSet'], 'Parallel'],
  ['schedule|cron schedule|every minute', 'object', 'spec.schedule', 'string', ['CronJob'], '* * * * *'],
  ['suspend|suspended', 'object', 'spec.suspend', 'boolean', ['CronJob', 'Job']],
  ['starting deadline|startingdeadlinesecond', 'object', 'spec.startingDeadlineSeconds', 'number', ['CronJob'], 10],
  ['successful job history|successfuljobshistorylimit', 'object', 'spec.successfulJobsHistoryLimit', 'number', ['CronJob'], 100],
  ['time zone|timezone', 'object', 'spec.timeZone', 'string', ['CronJob'], 'Etc/UTC'],
  ['parallelism|parallel pod', 'object', 'spec.parallelism', 'number', ['Job'], 100],
  ['completion|completions', 'object', 'spec.completions', 'number', ['Job'], 1000],
  ['job deadline|job active deadline', 'object', 'spec.activeDeadlineSeconds', 'number', ['Job'], 100000],
  ['storage class|storageclassname|storageclass', 'object', 'spec.storageClassName', 'string', ['PersistentVolumeClaim'], 'hostpath'],
  ['access mode|readwritemany|read write many', 'object', 'spec.accessModes.*', 'string', ['PersistentVolumeClaim'], 'ReadWriteMany'],
  ['volume mode|block volume', 'object', 'spec.volumeMode', 'string', ['PersistentVolumeClaim'], 'Block'],
  ['secret type|basic auth|ssh auth', 'object', 'type', 'string', ['Secret'], 'kubernetes.io/basic-auth'],
  ['immutable', 'object', 'immutable', 'boolean', ['Secret', 'ConfigMap']],
  ['hpa|autoscaler|max replicas|maxreplicas', 'object', 'spec.maxReplicas', 'number', ['HorizontalPodAutoscaler'], 100],
  ['replica|replicas|replica count', 'object', 'spec.replicas', 'number', ['Deployment', 'StatefulSet', 'ReplicaSet'], 50],
  ['finalizer|finalizers', 'object', 'metadata.finalizers', 'list', undefined, ['example.com/block']],
];

/** Kind names and the words that mean them. */
export const KIND_WORDS: [string, string[]][] = [
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
  ['NetworkPolicy', ['networkpolicy', 'networkpolicies', 'network policy', 'network policies']],
  ['PodDisruptionBudget', ['poddisruptionbudget', 'poddisruptionbudgets', 'pdb', 'pdbs', 'disruption budget', 'disruption budgets']],
  ['RoleBinding', ['rolebinding', 'rolebindings']],
  ['ClusterRoleBinding', ['clusterrolebinding', 'clusterrolebindings']],
  ['Role', ['role', 'roles']],
  ['ClusterRole', ['clusterrole', 'clusterroles']],
  ['IngressClass', ['ingressclass', 'ingressclasses']],
];

/** Id prefix of a policy on an object of this kind (container and pod scopes use their own). */
export const KIND_PREFIX: Record<string, string> = {
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

export const CATEGORY_BY_SCOPE: Record<Scope, Draft['category']> = { container: 'pod-security', pod: 'pod-security', object: 'metadata' };
export const CATEGORY_BY_KIND: Record<string, Draft['category']> = {
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

/** apiVersion of the synthesized test objects; kinds not listed are apps/v1 (workloads) or v1. */
export const API_VERSION_BY_KIND: Record<string, string> = {
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
