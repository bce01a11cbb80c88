package kpc.policies.namespace_pss_labels_test

import data.kpc.policies.namespace_pss_labels

ns(labels) := {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "shop", "labels": labels}}

test_denies_missing_label if {
	count(namespace_pss_labels.deny) == 1 with input as ns({"team": "shop"})
	count(namespace_pss_labels.deny) == 1 with input as ns({"pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/audit": "restricted"})
	count(namespace_pss_labels.deny) == 1 with input as {"kind": "Namespace", "metadata": {"name": "shop"}}
}

test_denies_privileged_or_unknown_level if {
	count(namespace_pss_labels.deny) == 1 with input as ns({"pod-security.kubernetes.io/enforce": "privileged"})
	count(namespace_pss_labels.deny) == 1 with input as ns({"pod-security.kubernetes.io/enforce": "Restricted"})
	count(namespace_pss_labels.deny) == 1 with input as ns({"pod-security.kubernetes.io/enforce": ""})
}

test_message_names_resource_field_and_levels if {
	some msg in namespace_pss_labels.deny with input as ns({"pod-security.kubernetes.io/enforce": "privileged"})
	contains(msg, "Namespace shop:")
	contains(msg, "metadata.labels[\"pod-security.kubernetes.io/enforce\"] is \"privileged\"")
	contains(msg, "[\"baseline\", \"restricted\"]")
	some msg2 in namespace_pss_labels.deny with input as ns({})
	contains(msg2, "has no pod-security.kubernetes.io/enforce")
}

test_allows_baseline_and_restricted if {
	count(namespace_pss_labels.deny) == 0 with input as ns({"pod-security.kubernetes.io/enforce": "restricted"})
	count(namespace_pss_labels.deny) == 0 with input as ns({"pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/enforce-version": "latest"})
}

test_parameters if {
	params := {"namespace-pss-labels": {"allowed_levels": ["restricted"], "exempt_namespaces": ["kube-system"]}}
	count(namespace_pss_labels.deny) == 1 with input as ns({"pod-security.kubernetes.io/enforce": "baseline"}) with data.kpc.params as params
	count(namespace_pss_labels.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": "kube-system", "labels": {"pod-security.kubernetes.io/enforce": "privileged"}}} with data.kpc.params as params
	count(namespace_pss_labels.deny) == 0 with input as {"kind": "Namespace", "metadata": {"name": "kube-system"}}
	count(namespace_pss_labels.deny) == 1 with input as {"kind": "Namespace", "metadata": {"name": "kube-system"}} with data.kpc.params as {"namespace-pss-labels": {"exempt_namespaces": []}}
}

test_missing_or_malformed_fields_never_crash if {
	count(namespace_pss_labels.deny) == 1 with input as {"kind": "Namespace"}
	count(namespace_pss_labels.deny) == 1 with input as ns(null)
	count(namespace_pss_labels.deny) == 1 with input as ns({"pod-security.kubernetes.io/enforce": 3})
}

test_ignores_other_kinds if {
	count(namespace_pss_labels.deny) == 0 with input as object.union(ns({}), {"kind": "ConfigMap"})
}

# regression (issue 15): the system namespaces are exempt by default, and the parameter replaces the list
test_system_namespaces_exempt_by_default if {
	every name in ["kube-system", "kube-public", "kube-node-lease"] {
		count(data.kpc.policies.namespace_pss_labels.deny) == 0 with input as {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
	}
	count(data.kpc.policies.namespace_pss_labels.deny) == 1 with input as {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}}
		with data.kpc.params as {"namespace-pss-labels": {"exempt_namespaces": ["ingress-nginx"]}}
	count(data.kpc.policies.namespace_pss_labels.deny) == 0 with input as {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ingress-nginx"}}
		with data.kpc.params as {"namespace-pss-labels": {"exempt_namespaces": ["ingress-nginx"]}}
}
