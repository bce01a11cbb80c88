/**
 * Networking extractors: Service exposure, Ingress hosts and TLS, and NetworkPolicy selectors.
 */
import type { ManifestFeatures } from './manifest-features';
import type { ManifestView } from './manifest-view';
import { arr, bit, isObj, nonEmpty, obj, objs, path, present, strings } from './read-json';

/** Service: its type and how it is exposed outside the cluster. */
export function extractService(f: ManifestFeatures, m: ManifestView): void {
  const { spec, annotations } = m;
  const type = present(spec.type) ? spec.type : 'ClusterIP';
  f.service_type = typeof type === 'string' ? type : 'other';
  const ports = arr(spec.ports);
  f.service_ports_count = ports.length;
  f.service_nodeport_type = bit(type === 'NodePort');
  f.service_lb_type = bit(type === 'LoadBalancer');
  f.service_lb_unapproved = bit(type === 'LoadBalancer' && annotations['kube-pac.io/external-exposure'] !== 'approved');
  // a LoadBalancer's nodePorts are allocated by the API server: not an exposure of their own
  f.service_node_ports_count = type === 'LoadBalancer' ? 0 : ports.filter((p) => present(path(p, 'nodePort'))).length;
  f.service_external_ips_count = arr(spec.externalIPs).length;
}

/** Ingress: hosts, TLS coverage and class. */
export function extractIngress(f: ManifestFeatures, m: ManifestView): void {
  const { spec } = m;
  const hosts = objs(spec.rules)
    .map((rule) => rule.host)
    .filter(nonEmpty);
  const tls = objs(spec.tls);
  const tlsHosts = tls.flatMap((entry) => strings(entry.hosts));
  f.ingress_hosts_count = hosts.length;
  // a rule without a host (or with "") matches every host, like a wildcard
  f.ingress_wildcard_hosts =
    [...hosts, ...tlsHosts].filter((h) => h.startsWith('*')).length + objs(spec.rules).filter((rule) => !nonEmpty(rule.host)).length;
  f.ingress_tls_entries = arr(spec.tls).length;
  f.ingress_tls_missing = bit(arr(spec.tls).length === 0);
  const covered = (host: string) =>
    tlsHosts.some((t) => t === host || (t.startsWith('*.') && host.includes('.') && host.slice(host.indexOf('.') + 1) === t.slice(2)));
  f.ingress_tls_hosts_uncovered = arr(spec.tls).length > 0 ? hosts.filter((h) => !covered(h)).length : 0;
  const className = spec.ingressClassName;
  f.ingress_class = nonEmpty(className) ? className : 'unset';
  f.ingress_class_missing = bit(!nonEmpty(className));
}

/** NetworkPolicy: whether it selects every pod and lets every source in. */
export function extractNetworkPolicy(f: ManifestFeatures, m: ManifestView): void {
  const { spec } = m;
  const selector = obj(spec.podSelector);
  const selectsAll = Object.keys(obj(selector.matchLabels)).length === 0 && arr(selector.matchExpressions).length === 0;
  f.netpol_selects_all_pods = bit(selectsAll);
  const policyTypes = spec.policyTypes;
  const governsIngress = policyTypes === undefined || policyTypes === false || arr(policyTypes).includes('Ingress');
  if (!selectsAll || !governsIngress) return;
  f.netpol_allow_all_ingress = arr(spec.ingress).filter((rule) => {
    const from = arr(path(rule, 'from'));
    if (from.length === 0) return true;
    return from.some((peer) => {
      if (isObj(peer) && Object.keys(peer).length === 0) return true;
      // namespaceSelector {} (without a narrowing podSelector): every pod of every namespace
      if (isObj(peer) && emptySelector(peer.namespaceSelector) && (peer.podSelector === undefined || emptySelector(peer.podSelector)))
        return true;
      const cidr = path(peer, 'ipBlock', 'cidr');
      return (cidr === '0.0.0.0/0' || cidr === '::/0') && arr(path(peer, 'ipBlock', 'except')).length === 0;
    });
  }).length;
}

function emptySelector(selector: unknown): boolean {
  if (selector === null) return true;
  if (!isObj(selector)) return false;
  return Object.keys(obj(selector.matchLabels)).length === 0 && arr(selector.matchExpressions).length === 0;
}
