/**
 * Detection rate of the policy corpus on datasets/foreign/detection: 157 hand-written manifests in
 * styles unlike the generator (never used to write or tune policies), each labelled in its header
 * with the problems it has (`# expect: <concepts>` or `clean`). Each file is analysed alone, as
 * `pac analyze file.yaml` does (the inventory is the file's own object).
 *
 * The concept → policy key below is the scoring key (which policy ids detect a concept); it is
 * written from the concept vocabulary in datasets/foreign/README.md, not from results. A labelled
 * problem is detected when one of its policies denies the file. Findings of a keyed policy on a file
 * whose labels do not name its concept are unlabelled findings (false alarms, or problems the
 * labels leave out — the README names the ambiguous cases). Policies outside the key (house
 * conventions: registry allow-list, digests, ephemeral storage, owner annotation …) are not scored;
 * their findings are counted apart.
 *
 * Baseline in the same run: allow-everything (no finding). Bundles: all policies, and the default
 * bundle (pss-baseline + rbac).
 *
 *   npm run bench:detection
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { inventoryFromObjects } from '../activities/analyze/inventory';
import { schemaFinding } from '../activities/analyze/schema-rule';
import { corpusEngine } from '../activities/engine';
import { loadPolicyIndex } from '../datasets/load';
import { DEFAULT_BUNDLES } from '../datasets/schemas';
import { loadConfig } from '../infra/config';

const DIR = join(import.meta.dirname, '..', 'datasets', 'foreign', 'detection');

/** concept → the policy ids that detect it (an empty list: no policy of the corpus covers it) */
const KEY: Record<string, string[]> = {
  'apparmor-unconfined': ['pss-apparmor'],
  // adding a capability beyond NET_BIND_SERVICE also breaks Restricted, hostPath is outside its volume types
  'capabilities-added': ['pss-capabilities-baseline', 'pss-capabilities-restricted'],
  'capabilities-not-dropped': ['pss-capabilities-restricted'],
  'credentials-in-configmap': ['configmap-no-credentials'],
  'cronjob-concurrency': ['cronjob-concurrency-policy'],
  'default-namespace': ['namespace-not-default'],
  'default-service-account': ['sa-dedicated-service-account', 'rbac-default-sa-binding'],
  'deprecated-api': ['api-deprecated-versions'],
  'duplicate-env-var': ['container-env-unique'],
  'external-ips': ['svc-no-external-ips'],
  'externalname-service': [],
  'host-network': ['pss-host-namespaces'],
  'host-pid-ipc': ['pss-host-namespaces'],
  'host-path': ['pss-hostpath-volumes', 'pss-volume-types'],
  'host-port': ['pss-host-ports'],
  'host-probe-or-hook': ['pss-host-probes'],
  'hpa-min-gt-max': ['replicas-hpa-sanity'],
  'ingress-empty-host': ['ingress-no-wildcard-host'],
  'ingress-no-tls': ['ingress-tls-required', 'ingress-tls-host-coverage'],
  'ingress-snippet-annotation': ['ingress-nginx-snippets'],
  'ingress-wildcard-host': ['ingress-no-wildcard-host'],
  'job-no-ttl': ['job-ttl-after-finished'],
  'latest-tag': ['image-no-latest-tag', 'image-tag-required'],
  'untagged-image': ['image-tag-required', 'image-no-latest-tag'],
  'loadbalancer-service': ['svc-no-loadbalancer'],
  'missing-labels': ['metadata-required-labels'],
  'missing-owner': ['metadata-owner-annotation', 'metadata-required-labels'],
  'netpol-allow-all': ['netpol-no-allow-all-ingress'],
  'no-anti-affinity': ['availability-spread'],
  'no-cpu-limit': ['resources-cpu-limits'],
  'no-memory-limit': ['resources-memory-limits'],
  'no-liveness-probe': ['probes-liveness'],
  'no-readiness-probe': ['probes-readiness'],
  'no-pdb': ['availability-pdb-required'],
  'no-priority-class': ['availability-priority-class'],
  'no-requests': ['resources-cpu-requests', 'resources-memory-requests'],
  'nodeport-service': ['svc-no-nodeport'],
  'pdb-blocks-drain': ['availability-pdb-blocks-drain'],
  'privilege-escalation': ['pss-privilege-escalation'],
  privileged: ['pss-privileged'],
  'privileged-port': ['container-privileged-ports'],
  'probe-port-not-exposed': ['probes-port-exposed'],
  'proc-mount-unmasked': ['pss-proc-mount'],
  'rbac-anonymous-binding': ['rbac-anonymous-binding'],
  'rbac-cluster-admin': ['rbac-cluster-admin-binding'],
  'rbac-create-pods': ['rbac-create-pods'],
  'rbac-csr-approve': ['rbac-csr-approval'],
  'rbac-endpoints-write': ['rbac-endpoints-write'],
  'rbac-escalate-bind-impersonate': ['rbac-escalate-bind-impersonate'],
  'rbac-exec': ['rbac-pod-exec'],
  'rbac-nodes-proxy': ['rbac-nodes-proxy'],
  'rbac-secrets-read': ['rbac-secret-read'],
  'rbac-services-status': ['rbac-services-status-write'],
  'rbac-system-masters': ['rbac-system-masters-group'],
  'rbac-webhook-config': ['rbac-webhook-config'],
  'rbac-wildcard': ['rbac-wildcard-resources', 'rbac-wildcard-verbs'],
  'recreate-strategy': ['availability-rolling-update'],
  'restricted-volume-type': ['pss-volume-types'],
  'run-as-root': ['pss-run-as-non-root', 'pss-run-as-non-root-user'],
  'schema-typo': ['schema-valid'],
  'seccomp-unconfined': ['pss-seccomp-baseline', 'pss-seccomp-restricted'],
  'secret-in-env-literal': ['secrets-in-env-literal'],
  'secret-via-env-secretkeyref': ['secrets-env-secret-ref'],
  'selector-mismatch': ['metadata-selector-matches-template'],
  'selinux-custom': ['pss-selinux'],
  'shared-process-namespace': ['pod-no-shared-process-namespace'],
  'single-replica': ['replicas-minimum'],
  'sshd-port': ['container-no-ssh-port'],
  'stdin-tty': ['container-no-stdin-tty'],
  'token-automount': ['sa-token-automount'],
  'unsafe-sysctl': ['pss-sysctls'],
  'untrusted-registry': ['image-allowed-registries'],
  'writable-root-fs': ['container-readonly-rootfs'],
};

/**
 * Keyed policies whose unlabelled findings are neither confirmed nor contradicted by the labels
 * (datasets/foreign/README.md): the registry allow-list, the house's label and owner-annotation
 * names (the set's baseline uses an `owner` label, the house a `team` label and a
 * kube-pac.io/owner annotation: all three are parameters), and PDBs (a file says nothing about a
 * PDB elsewhere). Counted apart, not as false alarms.
 */
const CONVENTIONS = new Set([
  'image-allowed-registries',
  'metadata-required-labels',
  'metadata-owner-annotation',
  'availability-pdb-required',
]);

interface Labelled {
  file: string;
  concepts: string[];
  manifest: Record<string, unknown>;
}

function readSet(): Labelled[] {
  return readdirSync(DIR)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort()
    .map((file) => {
      const text = readFileSync(join(DIR, file), 'utf8');
      const header = /^# expect:\s*(.+)$/m.exec(text)?.[1] ?? '';
      const concepts = header === 'clean' ? [] : header.split(',').map((c) => c.trim());
      return { file, concepts, manifest: parse(text) as Record<string, unknown> };
    });
}

interface Score {
  labelled: number;
  detected: number;
  keyed: number;
  unlabelledFindings: number;
  cleanFilesFlagged: number;
  unkeyedFindings: number;
  conventionFindings: number;
  missed: string[];
  /** keyed policy → files where it found a problem the labels do not name */
  unlabelledBy: Map<string, string[]>;
}

function score(set: Labelled[], denied: Record<string, string[]>[], policies: ReadonlySet<string>): Score {
  const keyed = new Map<string, string[]>();
  for (const [concept, ids] of Object.entries(KEY)) for (const id of ids) keyed.set(id, [...(keyed.get(id) ?? []), concept]);
  const s: Score = {
    labelled: 0,
    detected: 0,
    keyed: 0,
    unlabelledFindings: 0,
    cleanFilesFlagged: 0,
    unkeyedFindings: 0,
    conventionFindings: 0,
    missed: [],
    unlabelledBy: new Map(),
  };
  set.forEach((item, i) => {
    const ids = Object.keys(denied[i] ?? {}).filter((id) => policies.has(id));
    for (const concept of item.concepts) {
      s.labelled++;
      const detectors = (KEY[concept] ?? []).filter((id) => policies.has(id));
      if (detectors.length) s.keyed++;
      if (detectors.some((id) => ids.includes(id))) s.detected++;
      else s.missed.push(`${item.file}: ${concept}${detectors.length ? '' : ' (no policy)'}`);
    }
    let unlabelled = 0;
    for (const id of ids) {
      const concepts = keyed.get(id);
      if (!concepts) s.unkeyedFindings++;
      else if (concepts.some((c) => item.concepts.includes(c))) continue;
      else if (CONVENTIONS.has(id)) s.conventionFindings++;
      else {
        unlabelled++;
        s.unlabelledBy.set(id, [...(s.unlabelledBy.get(id) ?? []), item.file]);
      }
    }
    s.unlabelledFindings += unlabelled;
    if (item.concepts.length === 0 && unlabelled > 0) s.cleanFilesFlagged++;
  });
  return s;
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : 'n/a');

async function main(): Promise<void> {
  const config = loadConfig();
  const set = readSet();
  const index = loadPolicyIndex();
  const engine = await corpusEngine(config, { threads: 0, sampleTimingEvery: 0, includePublished: false });
  const denied: Record<string, string[]>[] = [];
  const failed: string[] = [];
  try {
    for (const item of set) {
      const [verdict] = await engine.evaluate([item.manifest], { inventory: inventoryFromObjects([item.manifest]) });
      denied.push(verdict?.denied ?? {});
      for (const [id, why] of Object.entries(verdict?.failed ?? {})) failed.push(`${item.file}: ${id}: ${why.split('\n')[0]}`);
    }
  } finally {
    await engine.close();
  }
  const unknown = Object.values(KEY)
    .flat()
    .filter((id) => id !== 'schema-valid' && !index.some((p) => p.id === id));
  if (unknown.length) throw new Error(`the scoring key names policies the corpus does not have: ${unknown.join(', ')}`);
  const all = new Set(index.map((p) => p.id));
  const defaults = new Set(index.filter((p) => p.bundles.some((b) => (DEFAULT_BUNDLES as readonly string[]).includes(b))).map((p) => p.id));
  const clean = set.filter((s) => s.concepts.length === 0).length;
  console.log(
    `detection set: ${set.length} files (${set.length - clean} with problems, ${clean} clean), ${Object.keys(KEY).length} keyed concepts`,
  );
  console.log(
    '| policies | labelled problems detected | of those a policy covers | unlabelled findings (keyed policies) | clean files flagged | convention findings (not scored) | findings of unkeyed policies (not scored) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  const rows: [string, Score][] = [
    [
      'allow-everything (baseline)',
      score(
        set,
        set.map(() => ({})),
        all,
      ),
    ],
    [`default bundle (pss-baseline + rbac, ${defaults.size})`, score(set, denied, defaults)],
    [`all policies (${all.size})`, score(set, denied, all)],
    [
      `all policies + --schema`,
      score(
        set,
        denied.map((d, i) => {
          const schema = schemaFinding(set[i]?.manifest);
          return schema ? { ...d, 'schema-valid': schema.messages } : d;
        }),
        new Set([...all, 'schema-valid']),
      ),
    ],
  ];
  for (const [name, s] of rows)
    console.log(
      `| ${name} | ${s.detected}/${s.labelled} (${pct(s.detected, s.labelled)}) | ${s.detected}/${s.keyed} (${pct(s.detected, s.keyed)}) | ${s.unlabelledFindings} | ${s.cleanFilesFlagged}/${clean} | ${s.conventionFindings} | ${s.unkeyedFindings} |`,
    );
  const allScore = rows[3]?.[1] as Score;
  console.log(`\nmissed with all policies + --schema (${allScore.missed.length}):`);
  for (const m of allScore.missed) console.log(`  ${m}`);
  console.log('\nunlabelled findings of keyed policies, by policy (all policies):');
  for (const [id, files] of [...allScore.unlabelledBy].sort((a, b) => b[1].length - a[1].length))
    console.log(`  ${String(files.length).padStart(3)}  ${id}  e.g. ${files.slice(0, 3).join(', ')}`);
  console.log(`\npolicies that could not evaluate a file (${failed.length}):`);
  for (const f of failed) console.log(`  ${f}`);
}

await main();
