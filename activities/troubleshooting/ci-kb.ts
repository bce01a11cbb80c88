/**
 * The knowledge base of CI failure signatures the CI-log assistant matches: for each root cause,
 * the patterns of the lines that show it (strong evidence), a description used for retrieval, the
 * fix, and, where the fix is a change to YAML, a patch sketch. Written for this project.
 */

export interface FailureSignature {
  /** the root-cause id (what datasets/ci-logs/labels.jsonl labels) */
  id: string;
  title: string;
  /** lines matching one of these are evidence for this cause */
  patterns: RegExp[];
  /** words for retrieval (with the title) */
  description: string;
  fix: string;
  /** a YAML patch sketch (`# file` comments name where it goes), when the fix is a YAML change */
  yamlPatch?: string;
}

export const FAILURE_SIGNATURES: readonly FailureSignature[] = [
  {
    id: 'image_pull_auth',
    title: 'The registry refused to serve the image (no or wrong credentials)',
    patterns: [
      /pull access denied/i,
      /unauthorized: authentication required/i,
      /401 Unauthorized/i,
      /403 Forbidden.*(pull|HEAD|manifest|image)/i,
      /denied: requested access to the resource is denied/i,
      /no basic auth credentials/i,
    ],
    description: 'image pull unauthorized authentication required registry credentials imagePullSecrets docker login denied access',
    fix: 'Give the pod (or the CI runner) credentials for the registry: create a docker-registry Secret and reference it in imagePullSecrets (or log in before pulling), or mirror the image into a registry the cluster can read.',
    yamlPatch:
      'spec:\n  template:\n    spec:\n      imagePullSecrets:\n        - name: regcred   # kubectl create secret docker-registry regcred ...',
  },
  {
    id: 'image_not_found',
    title: 'The image or tag does not exist',
    patterns: [
      /manifest unknown/i,
      /manifest for \S+ not found/i,
      /not found: manifest/i,
      /failed to resolve reference .*: not found/i,
      /code = NotFound desc = failed to pull and unpack image/i,
      /repository does not exist/i,
    ],
    description: 'image tag not found manifest unknown failed to pull ErrImagePull ImagePullBackOff wrong tag typo image name',
    fix: 'Use an image reference that exists: check the tag the build pushed (or push it), fix typos in the repository or tag, and pin the tag the pipeline produced.',
    yamlPatch:
      'spec:\n  template:\n    spec:\n      containers:\n        - name: <container>\n          image: <registry>/<repo>:<tag that was pushed>',
  },
  {
    id: 'registry_rate_limit',
    title: 'The registry rate-limited the pulls',
    patterns: [/toomanyrequests/i, /pull rate limit/i, /429 Too Many Requests/i],
    description: 'docker hub pull rate limit toomanyrequests 429 anonymous pulls',
    fix: 'Pull through an internal mirror or an authenticated account, and cache base images in CI.',
  },
  {
    id: 'rbac_forbidden',
    title: 'The CI identity lacks an RBAC permission',
    patterns: [
      /is forbidden: User "[^"]+" cannot \w+ resource/i,
      /cannot (get|list|watch|create|patch|update|delete) resource "[^"]+"/i,
      /attempting to grant RBAC permissions not currently held/i,
      /\(Forbidden\).*cannot/i,
    ],
    description: 'forbidden user serviceaccount cannot patch create list resource API group namespace RBAC Role RoleBinding permission',
    fix: 'Grant the deploying service account the verb it lacks on that resource with a namespaced Role and RoleBinding (least privilege), or deploy with an identity that has it.',
    yamlPatch:
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata:\n  name: deployer\n  namespace: <namespace>\nrules:\n  - apiGroups: ["<group>"]\n    resources: ["<resource>"]\n    verbs: ["<verb>"]\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: deployer\n  namespace: <namespace>\nroleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: deployer}\nsubjects:\n  - {kind: ServiceAccount, name: <sa>, namespace: <sa namespace>}',
  },
  {
    id: 'unauthenticated',
    title: 'The CI job is not logged in to the cluster',
    patterns: [
      /You must be logged in to the server/i,
      /\(Unauthorized\)/,
      /Unable to connect to the server: .*x509/i,
      /token has expired|provide credentials/i,
    ],
    description: 'unauthorized must be logged in kubeconfig token expired credentials cluster login',
    fix: 'Refresh the cluster credentials of the job (kubeconfig secret, OIDC token, cloud login step) before calling kubectl/helm.',
  },
  {
    id: 'quota_exceeded',
    title: 'A ResourceQuota or LimitRange rejected the pods',
    patterns: [
      /exceeded quota/i,
      /failed quota/i,
      /must specify (limits|requests)\.\w+/i,
      /(maximum|minimum) (cpu|memory) usage per Container/i,
    ],
    description: 'exceeded quota ResourceQuota LimitRange requested used limited limits.cpu requests.memory namespace capacity',
    fix: 'Lower the requests/limits (or replicas) to fit the namespace quota, or ask for a larger ResourceQuota; set requests and limits on every container when the quota requires them.',
    yamlPatch:
      'spec:\n  template:\n    spec:\n      containers:\n        - name: <container>\n          resources:\n            requests: {cpu: 100m, memory: 128Mi}\n            limits: {cpu: 500m, memory: 256Mi}',
  },
  {
    id: 'insufficient_capacity',
    title: 'No node has room for the pods',
    patterns: [
      /\d+\/\d+ nodes are available/i,
      /Insufficient (cpu|memory|nvidia)/i,
      /didn't match Pod's node affinity/i,
      /untolerated taint/i,
    ],
    description: 'FailedScheduling nodes available insufficient cpu memory taint affinity pending pod',
    fix: 'Reduce the pod requests, fix the node selector/affinity/tolerations, or add capacity to the node pool.',
  },
  {
    id: 'policy_denied',
    title: 'An admission policy denied the manifest',
    patterns: [
      /admission webhook "[^"]+" denied the request/i,
      /violates PodSecurity/i,
      /would violate PodSecurity/i,
      /^\s*FAIL - /m,
      /policy .* (failed|violation)/i,
      /\[denied by [^\]]+\]/i,
      /validation error: /i,
    ],
    description: 'admission webhook denied the request gatekeeper kyverno conftest policy violation constraint PodSecurity securityContext',
    fix: 'Change the manifest so the policy allows it (run `pac autofix <manifest>` for a verified patch), or, when the policy is wrong for this workload, ask for a policy parameter or exemption.',
    yamlPatch:
      'spec:\n  template:\n    spec:\n      containers:\n        - name: <container>\n          securityContext:\n            allowPrivilegeEscalation: false\n            readOnlyRootFilesystem: true\n            capabilities: {drop: [ALL]}',
  },
  {
    id: 'rego_compile_error',
    title: 'A Rego policy does not compile',
    patterns: [/rego_(parse|compile|type|recursion|unsafe_var)_error/i, /could not compile rego/i, /var \w+ is unsafe/i],
    description: 'rego parse error compile error type error unsafe var opa check conftest load policies',
    fix: 'Fix the Rego at the file:line the error names (run `opa check --strict` or `pac lint` locally); OPA v1 needs `if` before rule bodies and `contains` for partial set rules.',
  },
  {
    id: 'rego_test_failure',
    title: 'A Rego unit test fails',
    patterns: [/^\s*FAIL(?:ED)?:? .*test_\w+/im, /data\.[\w.]+\.test_\w+: (FAIL|ERROR)/i, /FAIL: \d+\/\d+/i],
    description: 'opa test FAIL test_ policy unit test failing expected deny message',
    fix: 'Run `opa test -v` on the policy folder, compare the failing test with the rule it exercises, and fix whichever is wrong.',
  },
  {
    id: 'webhook_unavailable',
    title: 'An admission webhook could not be reached',
    patterns: [
      /failed calling webhook/i,
      /failed to call webhook/i,
      /no endpoints available for service/i,
      /context deadline exceeded.*webhook|webhook.*context deadline exceeded/i,
    ],
    description: 'failed calling webhook context deadline exceeded connection refused no endpoints admission service timeout failurePolicy',
    fix: 'Make the webhook backend healthy (its pods, Service endpoints, TLS certificate), raise its timeoutSeconds if evaluation is slow, and retry; consider failurePolicy Ignore only for non-security webhooks.',
  },
  {
    id: 'schema_invalid',
    title: 'The manifest does not match the API schema',
    patterns: [
      /unknown field "[^"]+"/i,
      /strict decoding error/i,
      /ValidationError\(/,
      /cannot unmarshal \w+ into Go/i,
      /does not validate/i,
      /is invalid: (?!.*field is immutable).*(Invalid value|Required value)/i,
    ],
    description: 'unknown field strict decoding error validation error schema kubeconform invalid value required value typo field name',
    fix: 'Correct the field name or value type at the path the error shows (compare with `kubectl explain <kind>.<path>`).',
  },
  {
    id: 'missing_crd',
    title: 'The kind or API version is not served by the cluster',
    patterns: [
      /no matches for kind "[^"]+" in version/i,
      /resource mapping not found/i,
      /ensure CRDs are installed first/i,
      /the server could not find the requested resource/i,
    ],
    description: 'no matches for kind version CRD not installed apiVersion removed resource mapping not found',
    fix: 'Install the CRD before the resources that use it (or order the chart so CRDs come first), or move to the apiVersion the cluster serves.',
    yamlPatch: 'apiVersion: <current group/version, e.g. networking.k8s.io/v1>\nkind: <Kind>',
  },
  {
    id: 'immutable_field',
    title: 'An immutable field was changed',
    patterns: [/field is immutable/i, /spec\.selector.*immutable/i, /cannot change/i],
    description: 'field is immutable selector matchLabels change delete recreate',
    fix: 'Keep the immutable field (e.g. the Deployment selector) as it was, or delete and recreate the object in a planned migration.',
  },
  {
    id: 'helm_template_error',
    title: 'The Helm chart does not render',
    patterns: [
      /Error: (INSTALLATION|UPGRADE) FAILED: template:/i,
      /^Error: template: /m,
      /nil pointer evaluating/i,
      /execution error at \(/i,
      /required value/i,
      /parse error at \(/i,
    ],
    description: 'helm template error nil pointer evaluating interface values required value chart render execution error',
    fix: 'Set the value the template needs (values.yaml or --set) or guard it with `default`/`if` in the template named in the error.',
  },
  {
    id: 'kustomize_missing_resource',
    title: 'Kustomize cannot find a resource or base',
    patterns: [
      /accumulating resources/i,
      /must resolve to a file/i,
      /evalsymlink failure/i,
      /no such file or directory.*kustomization|kustomization.*no such file/i,
      /unable to find one of 'kustomization\.yaml'/i,
    ],
    description: 'kustomize build accumulating resources missing file base overlay path not found kustomization',
    fix: 'Fix the path in kustomization.yaml `resources:` (relative to the kustomization file) or add the missing file.',
  },
  {
    id: 'docker_build_failed',
    title: 'A Dockerfile step failed',
    patterns: [
      /did not complete successfully: exit code: \d+/i,
      /returned a non-zero code/i,
      /failed to solve: process "[^"]+"/i,
      /ERROR \[\s*\S+\s+\d+\/\d+\] RUN/i,
    ],
    description: 'docker build buildkit RUN step failed exit code non-zero failed to solve process dockerfile npm apt pip',
    fix: 'Fix the failing RUN step (the first error above the exit code), e.g. a missing package, a failing test or a wrong working directory; rebuild locally with `docker build --progress=plain`.',
  },
  {
    id: 'dockerfile_copy_missing',
    title: 'A COPY source is missing from the build context',
    patterns: [/failed to compute cache key: .*not found/i, /COPY failed: .*(no such file|not found)/i, /"\/[^"]+": not found/i],
    description: 'COPY failed file not found build context dockerignore failed to compute cache key',
    fix: 'Add the file to the build context (check the context path and .dockerignore) or fix the COPY source path.',
  },
  {
    id: 'disk_full',
    title: 'The runner ran out of disk space',
    patterns: [/no space left on device/i, /disk quota exceeded/i],
    description: 'no space left on device disk full runner docker layers cache',
    fix: 'Free space on the runner (prune images and caches) or use a runner with a larger disk.',
  },
  {
    id: 'yaml_syntax_error',
    title: 'A YAML file does not parse',
    patterns: [
      /yaml: line \d+:/i,
      /error converting YAML to JSON/i,
      /mapping values are not allowed/i,
      /did not find expected key/i,
      /found character that cannot start any token/i,
    ],
    description: 'yaml syntax error line indentation mapping values not allowed converting YAML to JSON tab',
    fix: 'Fix the indentation or quoting at the line the parser names (tabs are not allowed; quote values containing ": ").',
  },
  {
    id: 'namespace_not_found',
    title: 'The target namespace does not exist',
    patterns: [/namespaces? "[^"]+" not found/i],
    description: 'namespace not found create namespace typo target',
    fix: 'Create the namespace first (or let the tool do it, e.g. `helm --create-namespace`), or fix the namespace name.',
    yamlPatch:
      'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: <namespace>\n  labels:\n    pod-security.kubernetes.io/enforce: restricted',
  },
  {
    id: 'rollout_crashloop',
    title: 'The new pods crash, so the rollout never finishes',
    patterns: [
      /CrashLoopBackOff/i,
      /Back-off restarting failed container/i,
      /OOMKilled/i,
      /exceeded its progress deadline/i,
      /Readiness probe failed|Liveness probe failed/i,
    ],
    description: 'rollout status timed out progress deadline CrashLoopBackOff back-off restarting OOMKilled probe failed pods not ready',
    fix: "Read the crashing container's logs (`kubectl logs --previous`), fix the start-up error, probe or memory limit, then roll out again.",
  },
  {
    id: 'secret_missing',
    title: 'A referenced Secret or ConfigMap does not exist',
    patterns: [/secret "[^"]+" not found/i, /configmap "[^"]+" not found/i, /CreateContainerConfigError/i],
    description: 'secret not found configmap not found CreateContainerConfigError mount volume env from',
    fix: 'Create the Secret/ConfigMap in the same namespace before the workload (or fix its name).',
  },
];
