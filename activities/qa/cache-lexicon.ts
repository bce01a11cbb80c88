/**
 * Word lists of the semantic-cache guard (cache-guard.ts): negation cues, antonym axes (each word
 * is one pole of one axis) and the terms that make two otherwise similar questions different
 * (Kubernetes kinds, resources, engines, search modes, model families). Data only.
 */

/** Words that negate a sentence ("n't" endings are recognised as well). */
export const NEGATION_CUES = [
  'not',
  'no',
  'never',
  'none',
  'nor',
  'neither',
  'without',
  'cannot',
  'nothing',
  'nobody',
  'nowhere',
  'unless',
];

/** Antonym axes: [axis, words of pole a, words of pole b]. A question's pole is flipped by negation. */
export const ANTONYM_AXES: [string, string[], string[]][] = [
  [
    'permit',
    'allow allows allowed allowing permit permits permitted accept accepts accepted admit admits admitted grant grants granted approve approves approved whitelist allowlist'.split(
      ' ',
    ),
    'deny denies denied denying block blocks blocked blocking reject rejects rejected forbid forbids forbidden refuse refuses refused disallow disallows disallowed prohibit prohibits prohibited revoke revokes revoked blacklist denylist blocklist prevent prevents prevented stop stops'.split(
      ' ',
    ),
  ],
  [
    'enable',
    'enable enables enabled enabling activate activates activated'.split(' '),
    'disable disables disabled disabling deactivate deactivates deactivated'.split(' '),
  ],
  [
    'add',
    'add adds added adding include includes included create creates created insert inserts install installs installed'.split(' '),
    'remove removes removed removing delete deletes deleted deleting exclude excludes excluded drop drops dropped uninstall uninstalls uninstalled'.split(
      ' ',
    ),
  ],
  [
    'more',
    'increase increases increased raise raises raised more higher highest above max maximum upper greater larger bigger exceed exceeds longer most'.split(
      ' ',
    ),
    'decrease decreases decreased reduce reduces reduced lower lowest less fewer below min minimum smaller shorter least'.split(' '),
  ],
  ['privilege', 'privileged root elevated escalation escalate'.split(' '), 'unprivileged nonroot rootless'.split(' ')],
  ['mutability', 'readonly immutable'.split(' '), 'writable mutable readwrite'.split(' ')],
  [
    'outcome',
    'pass passes passed passing succeed succeeds succeeded success successful'.split(' '),
    'fail fails failed failing failure'.split(' '),
  ],
  ['direction', 'ingress inbound incoming'.split(' '), 'egress outbound outgoing'.split(' ')],
  ['time', 'before earlier prior oldest'.split(' '), 'after later newest'.split(' ')],
  ['truth', ['true'], ['false']],
  ['visibility', 'public external'.split(' '), 'private internal'.split(' ')],
  ['validity', ['valid'], ['invalid']],
  ['requirement', 'required mandatory'.split(' '), ['optional']],
  ['crypt', 'encrypt encrypted encryption'.split(' '), 'decrypt decrypted decryption'.split(' ')],
  ['transfer', 'upload uploads uploaded'.split(' '), 'download downloads downloaded'.split(' ')],
  ['lock', 'lock locks locked'.split(' '), 'unlock unlocks unlocked'.split(' ')],
  ['mount', 'mount mounts mounted'.split(' '), 'unmount unmounts unmounted'.split(' ')],
  ['sameness', 'same identical'.split(' '), 'different distinct'.split(' ')],
  ['precision', ['precision'], ['recall']],
  ['family', ['champion'], ['challenger']],
];

/**
 * Terms that name what a question is about; two questions that differ in one of them ask about
 * different things even when most of their words agree. Singular forms (plurals are folded).
 */
export const DISCRIMINATING_TERMS = `
pod deployment statefulset daemonset replicaset job cronjob service ingress configmap secret namespace node
role clusterrole rolebinding clusterrolebinding serviceaccount networkpolicy persistentvolume persistentvolumeclaim pvc
storageclass hpa horizontalpodautoscaler poddisruptionbudget limitrange resourcequota crd container initcontainer
sidecar volume hostpath hostnetwork hostpid hostipc hostport capability seccomp apparmor selinux
cpu memory gpu storage ephemeral disk
temporal mlflow weaviate opa gatekeeper kyverno prometheus grafana langgraph
bm25 vector hybrid keyword semantic
ranker latency classifier regressor embedding reranker
workflow activity worker signal query update schedule
label annotation image tag digest registry port probe liveness readiness startup
psi ks chi jensen shannon kolmogorov mrr ndcg f1 auc
`
  .trim()
  .split(/\s+/);
