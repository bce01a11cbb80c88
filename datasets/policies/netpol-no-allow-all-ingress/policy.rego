# A NetworkPolicy that selects every pod of the namespace (empty podSelector) and has an ingress
# rule without sources (no "from", an empty "from", an empty peer {}, a peer whose namespaceSelector
# is empty and whose podSelector is absent or empty — every pod of every namespace —, or an ipBlock
# of 0.0.0.0/0 or ::/0 without exceptions) admits traffic from every pod and address to every pod, which cancels
# the namespace's default-deny. Ports in the rule narrow the ports, not the sources, so they do not
# exempt it. Policies whose policyTypes leave out Ingress are skipped (their ingress rules are
# ignored). Selecting specific pods for a deliberate public entry point is not denied here.
# (Related: CIS 5.3.2.)
package kpc.policies.netpol_no_allow_all_ingress

import data.kpc.lib.k8s

deny contains msg if {
	input.kind == "NetworkPolicy"
	selects_all_pods
	governs_ingress
	some i, rule in object.get(input.spec, "ingress", [])
	reason := allows_all(rule)
	msg := sprintf(
		"%s: spec.ingress[%d] %s and spec.podSelector selects every pod, so all ingress is allowed; list the allowed peers in spec.ingress[%d].from",
		[k8s.resource, i, reason, i],
	)
}

selects_all_pods if {
	selector := object.get(input.spec, "podSelector", {})
	count(object.get(selector, "matchLabels", {})) == 0
	count(object.get(selector, "matchExpressions", [])) == 0
}

# Without policyTypes, a policy governs ingress (egress only when it has egress rules).
governs_ingress if not input.spec.policyTypes

governs_ingress if "Ingress" in input.spec.policyTypes

allows_all(rule) := "has no from (every source)" if {
	count(object.get(rule, "from", [])) == 0
} else := sprintf("has the empty peer from[%d] (every source)", [j]) if {
	some j, peer in rule.from
	peer == {}
} else := sprintf("has from[%d].namespaceSelector {} (every pod of every namespace)", [j]) if {
	some j, peer in rule.from
	empty_selector(peer.namespaceSelector)
	empty_selector(object.get(peer, "podSelector", {}))
} else := sprintf("has from[%d].ipBlock.cidr %s without except (every address)", [j, peer.ipBlock.cidr]) if {
	some j, peer in rule.from
	peer.ipBlock.cidr in {"0.0.0.0/0", "::/0"}
	count(object.get(peer.ipBlock, "except", [])) == 0
}

# A label selector that selects everything: no matchLabels and no matchExpressions ({} or null).
empty_selector(selector) if selector == null

empty_selector(selector) if {
	is_object(selector)
	count(object.get(selector, "matchLabels", {})) == 0
	count(object.get(selector, "matchExpressions", [])) == 0
}
