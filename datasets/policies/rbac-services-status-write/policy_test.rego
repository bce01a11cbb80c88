package kpc.policies.rbac_services_status_write_test

import data.kpc.policies.rbac_services_status_write as status_write

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "lb", "namespace": "shop"}, "rules": rules}

rule(resources, verbs) := {"apiGroups": [""], "resources": resources, "verbs": verbs}

test_denies_status_writes_in_both_kinds if {
	every kind in ["Role", "ClusterRole"] {
		every verb in ["update", "patch", "*"] {
			every resource in ["services/status", "*/status", "*"] {
				count(status_write.deny) == 1 with input as role(kind, [rule([resource], [verb])])
			}
		}
	}
}

test_denies_wildcard_and_missing_groups if {
	count(status_write.deny) == 1 with input as role("ClusterRole", [{"apiGroups": ["*"], "resources": ["services/status"], "verbs": ["patch"]}])
	count(status_write.deny) == 1 with input as role("ClusterRole", [{"resources": ["services/status"], "verbs": ["update"]}])
}

test_message_names_rule_verbs_and_resources if {
	some msg in status_write.deny with input as role("ClusterRole", [rule(["services"], ["get"]), rule(["services", "services/status"], ["get", "update", "patch"])])
	contains(msg, "ClusterRole lb")
	contains(msg, `rules[1] grants ["patch", "update"] on services/status`)
	contains(msg, `(rules[1].resources ["services/status"])`)
	contains(msg, "CVE-2020-8554")
}

test_allows_reads_other_subresources_and_groups if {
	count(status_write.deny) == 0 with input as role("ClusterRole", [rule(["services/status"], ["get", "list", "watch"])])
	count(status_write.deny) == 0 with input as role("ClusterRole", [rule(["services", "services/proxy"], ["update", "patch"])])
	count(status_write.deny) == 0 with input as role("ClusterRole", [rule(["*/scale"], ["*"])])
	count(status_write.deny) == 0 with input as role("ClusterRole", [{"apiGroups": ["networking.k8s.io"], "resources": ["ingresses/status", "*/status"], "verbs": ["update"]}])
	count(status_write.deny) == 0 with input as role("RoleBinding", [rule(["services/status"], ["update"])])
}

test_exempt_roles if {
	r := role("ClusterRole", [rule(["services/status"], ["update"])])
	count(status_write.deny) == 0 with input as r with data.kpc.params as {"rbac-services-status-write": {"exempt_roles": ["lb", "metallb-*"]}}
	count(status_write.deny) == 1 with input as r with data.kpc.params as {"rbac-services-status-write": {"exempt_roles": ["metallb-*"]}}
}
