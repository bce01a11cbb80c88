package kpc.policies.netpol_no_allow_all_ingress_test

import data.kpc.policies.netpol_no_allow_all_ingress

np(spec) := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "allow", "namespace": "shop"}, "spec": spec}

checkout := {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "checkout"}}}

test_denies_rules_without_sources if {
	count(netpol_no_allow_all_ingress.deny) == 1 with input as np({"podSelector": {}, "ingress": [{}]})
	count(netpol_no_allow_all_ingress.deny) == 1 with input as np({"podSelector": {}, "ingress": [{"from": []}]})
	count(netpol_no_allow_all_ingress.deny) == 1 with input as np({"podSelector": {}, "ingress": [{"ports": [{"port": 443}]}]})
	count(netpol_no_allow_all_ingress.deny) == 1 with input as np({"podSelector": {}, "ingress": [{"from": [checkout, {}]}]})
	count(netpol_no_allow_all_ingress.deny) == 1 with input as np({"ingress": [{}]})
}

test_denies_open_ip_blocks if {
	count(netpol_no_allow_all_ingress.deny) == 1 with input as np({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]})
	count(netpol_no_allow_all_ingress.deny) == 1 with input as np({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "::/0", "except": []}}]}]})
	count(netpol_no_allow_all_ingress.deny) == 0 with input as np({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0", "except": ["10.0.0.0/8"]}}]}]})
	count(netpol_no_allow_all_ingress.deny) == 0 with input as np({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.20.0.0/16"}}]}]})
}

test_policy_types if {
	count(netpol_no_allow_all_ingress.deny) == 1 with input as np({"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}]})
	count(netpol_no_allow_all_ingress.deny) == 0 with input as np({"podSelector": {}, "policyTypes": ["Egress"], "ingress": [{}]})
}

test_message_names_resource_rule_and_field if {
	some msg in netpol_no_allow_all_ingress.deny with input as np({"podSelector": {}, "ingress": [{"from": [checkout]}, {"from": [checkout, {}]}]})
	contains(msg, "NetworkPolicy shop/allow")
	contains(msg, "spec.ingress[1]")
	contains(msg, "from[1]")
	some msg2 in netpol_no_allow_all_ingress.deny with input as np({"podSelector": {}, "ingress": [{}]})
	contains(msg2, "has no from")
	some msg3 in netpol_no_allow_all_ingress.deny with input as np({"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]})
	contains(msg3, "0.0.0.0/0")
}

test_allows_specific_peers_or_specific_pods if {
	count(netpol_no_allow_all_ingress.deny) == 0 with input as np({"podSelector": {}, "ingress": [{"from": [checkout]}]})
	count(netpol_no_allow_all_ingress.deny) == 0 with input as np({"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}, "ingress": [{}]})
	count(netpol_no_allow_all_ingress.deny) == 0 with input as np({"podSelector": {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["edge"]}]}, "ingress": [{}]})
	count(netpol_no_allow_all_ingress.deny) == 0 with input as np({"podSelector": {}, "policyTypes": ["Ingress"]})
	count(netpol_no_allow_all_ingress.deny) == 0 with input as np({"podSelector": {}, "ingress": []})
}

test_missing_or_malformed_fields_never_crash if {
	count(netpol_no_allow_all_ingress.deny) == 0 with input as {"kind": "NetworkPolicy"}
	count(netpol_no_allow_all_ingress.deny) == 0 with input as np(null)
	count(netpol_no_allow_all_ingress.deny) == 0 with input as np({"podSelector": {}, "ingress": [{"from": [null, {"ipBlock": null}, checkout]}]})
}

test_ignores_other_kinds if {
	count(netpol_no_allow_all_ingress.deny) == 0 with input as object.union(np({"podSelector": {}, "ingress": [{}]}), {"kind": "Service"})
}

# regression (issue 15): namespaceSelector: {} selects every pod of every namespace
test_denies_empty_namespace_selector_peer if {
	np := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "open", "namespace": "shop"}, "spec": {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {}}]}]}}
	some msg in data.kpc.policies.netpol_no_allow_all_ingress.deny with input as np
	contains(msg, "NetworkPolicy shop/open: spec.ingress[0] has from[0].namespaceSelector {} (every pod of every namespace)")
	count(data.kpc.policies.netpol_no_allow_all_ingress.deny) == 1 with input as json.patch(np, [{"op": "add", "path": "/spec/ingress/0/from/0/podSelector", "value": {}}])
	count(data.kpc.policies.netpol_no_allow_all_ingress.deny) == 1 with input as json.patch(np, [{"op": "add", "path": "/spec/ingress/0/from/0/namespaceSelector", "value": {"matchLabels": {}}}])
}

test_allows_namespace_selector_narrowed_by_labels_or_pods if {
	np := {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "scrape", "namespace": "shop"}, "spec": {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "observability"}}}]}]}}
	count(data.kpc.policies.netpol_no_allow_all_ingress.deny) == 0 with input as np
	pods := json.patch(np, [{"op": "replace", "path": "/spec/ingress/0/from/0", "value": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app.kubernetes.io/name": "prometheus"}}}}])
	count(data.kpc.policies.netpol_no_allow_all_ingress.deny) == 0 with input as pods
}
