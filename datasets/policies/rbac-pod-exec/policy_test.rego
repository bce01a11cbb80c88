package kpc.policies.rbac_pod_exec_test

import data.kpc.policies.rbac_pod_exec

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "r", "namespace": "shop"}, "rules": rules}

exec := {"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}

test_denies_each_subresource_in_role_and_clusterrole if {
	every resource in ["pods/exec", "pods/attach", "pods/portforward", "*/exec", "*/attach", "*/portforward"] {
		count(rbac_pod_exec.deny) == 1 with input as role("Role", [object.union(exec, {"resources": [resource]})])
		count(rbac_pod_exec.deny) == 1 with input as role("ClusterRole", [object.union(exec, {"resources": [resource]})])
	}
	count(rbac_pod_exec.deny) == 2 with input as role("Role", [object.union(exec, {"resources": ["pods", "pods/exec", "pods/attach"]})])
}

test_denies_create_get_and_wildcard_verbs_and_groups if {
	every verb in ["create", "get", "*"] {
		count(rbac_pod_exec.deny) == 1 with input as role("Role", [object.union(exec, {"verbs": [verb]})])
	}
	count(rbac_pod_exec.deny) == 1 with input as role("Role", [object.union(exec, {"apiGroups": ["*"]})])
	count(rbac_pod_exec.deny) == 1 with input as role("Role", [{"resources": ["pods/exec"], "verbs": ["create"]}])
}

test_message_names_resource_rule_subresource_and_field if {
	some msg in rbac_pod_exec.deny with input as role("Role", [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}, object.union(exec, {"resources": ["pods/log", "pods/portforward"], "verbs": ["get", "create", "list"]})])
	contains(msg, "Role shop/r")
	contains(msg, "rules[1]")
	contains(msg, "\"pods/portforward\"")
	contains(msg, "rules[1].resources")
	contains(msg, "[\"get\", \"create\"]")
}

test_allows_reads_of_pods_and_logs_and_other_verbs if {
	count(rbac_pod_exec.deny) == 0 with input as role("Role", [{"apiGroups": [""], "resources": ["pods", "pods/log", "pods/status"], "verbs": ["get", "list", "watch"]}])
	count(rbac_pod_exec.deny) == 0 with input as role("Role", [object.union(exec, {"verbs": ["list", "watch", "delete"]})])
	count(rbac_pod_exec.deny) == 0 with input as role("Role", [object.union(exec, {"apiGroups": ["apps"]})])
	count(rbac_pod_exec.deny) == 0 with input as role("Role", [object.union(exec, {"resources": ["pods/*"]})])
}

test_missing_or_malformed_fields_never_crash if {
	count(rbac_pod_exec.deny) == 0 with input as {"kind": "Role"}
	count(rbac_pod_exec.deny) == 0 with input as role("Role", [{}, 1, {"resources": ["pods/exec"]}, {"verbs": ["create"]}])
}

test_ignores_other_kinds if {
	count(rbac_pod_exec.deny) == 0 with input as role("RoleBinding", [exec])
}
