/**
 * SIMULATED data tables for the synthetic manifest generator (manifests.ts): namespaces, apps, teams,
 * Secrets that exist in datasets/fixtures/inventory.json, public images and kind proportions.
 */

export const NAMESPACES = ['shop', 'payments', 'platform', 'data', 'observability'] as const;
export const APPS: Record<(typeof NAMESPACES)[number], string[]> = {
  shop: ['storefront', 'cart', 'catalog', 'search'],
  payments: ['ledger', 'checkout', 'fraud-scorer'],
  platform: ['gateway', 'auth', 'config-server'],
  data: ['postgres', 'kafka', 'redis', 'etl-api'],
  observability: ['prometheus', 'grafana', 'loki'],
};
export const TEAMS = ['commerce', 'payments', 'platform', 'data', 'sre'];
/** Secrets (name, key) that exist per namespace in datasets/fixtures/inventory.json: the house standard's env references resolve. */
export const SECRET_REFS: Record<(typeof NAMESPACES)[number], [name: string, key: string][]> = {
  shop: [
    ['smtp', 'password'],
    ['cart-redis', 'password'],
    ['catalog-db', 'password'],
    ['catalog-search', 'api-key'],
    ['storefront-session', 'secret'],
  ],
  payments: [
    ['checkout-psp', 'api-key'],
    ['ledger-db', 'password'],
    ['stripe', 'api-key'],
    ['feature-store', 'token'],
  ],
  platform: [
    ['auth-oidc', 'client-secret'],
    ['auth-signing', 'key'],
    ['config-server-git', 'token'],
  ],
  data: [
    ['postgres-superuser', 'password'],
    ['redis-auth', 'password'],
    ['etl-api-db', 'password'],
    ['connect-s3', 'secret-access-key'],
  ],
  observability: [
    ['grafana-admin', 'password'],
    ['grafana-oauth', 'client-secret'],
    ['loki-object-store', 'secret-access-key'],
  ],
};
export const PUBLIC_IMAGES = ['nginx', 'redis', 'postgres', 'busybox', 'python', 'node', 'alpine', 'bitnami/kafka'];

/** Kinds in roughly the proportions a cluster's manifests show. */
export const KIND_WEIGHTS: [string, number][] = [
  ['Deployment', 30],
  ['StatefulSet', 7],
  ['DaemonSet', 4],
  ['Job', 5],
  ['CronJob', 5],
  ['Pod', 5],
  ['ReplicaSet', 2],
  ['Service', 14],
  ['Ingress', 6],
  ['ConfigMap', 6],
  ['Role', 4],
  ['ClusterRole', 2],
  ['RoleBinding', 4],
  ['ClusterRoleBinding', 2],
  ['NetworkPolicy', 2],
  ['Namespace', 1],
  ['ServiceAccount', 1],
];

export type Namespace = (typeof NAMESPACES)[number];
