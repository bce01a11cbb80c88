package kpc.policies.rbac_create_pods_test

import data.kpc.policies.rbac_create_pods as create_pods

role(kind, rules) := {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": kind, "metadata": {"name": "deployer", "namespace": "shop"}, "rules": rules}

pods_rule(verbs) := {"apiGroups": [""], "resources": ["pods"], "verbs": verbs}

deployments := {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets"], "verbs": ["get", "create", "update"]}

controllers := {"rbac-create-pods": {"include_workload_controllers": true}}

test_denies_create_pods_in_both_kinds if {
	every kind in ["Role", "ClusterRole"] {
		count(create_pods.deny) == 1 with input as role(kind, [pods_rule(["create"])])
		count(create_pods.deny) == 1 with input as role(kind, [pods_rule(["get", "*"])])
		count(create_pods.deny) == 1 with input as role(kind, [{"apiGroups": ["*"], "resources": ["*"], "verbs": ["create"]}])
		count(create_pods.deny) == 1 with input as role(kind, [{"resources": ["pods", "pods/log"], "verbs": ["create"]}])
	}
}

test_message_names_rule_verbs_and_resources if {
	some msg in create_pods.deny with input as role("Role", [pods_rule(["get"]), {"apiGroups": [""], "resources": ["services", "pods"], "verbs": ["list", "create"]}])
	contains(msg, "Role shop/deployer")
	contains(msg, `rules[1] grants ["create"] on ["pods"]`)
	contains(msg, `(rules[1].resources ["pods", "services"])`)
	contains(msg, "any ServiceAccount of the namespace")
}

test_allows_reads_subresources_and_other_groups if {
	count(create_pods.deny) == 0 with input as role("Role", [pods_rule(["get", "list", "watch", "delete"])])
	count(create_pods.deny) == 0 with input as role("Role", [{"apiGroups": [""], "resources": ["pods/eviction", "pods/log"], "verbs": ["create"]}])
	count(create_pods.deny) == 0 with input as role("Role", [{"apiGroups": ["metrics.k8s.io"], "resources": ["pods"], "verbs": ["create"]}])
	count(create_pods.deny) == 0 with input as role("Role", [deployments])
	count(create_pods.deny) == 0 with input as role("RoleBinding", [pods_rule(["create"])])
}

test_workload_controllers_with_the_parameter if {
	count(create_pods.deny) == 1 with input as role("Role", [deployments]) with data.kpc.params as controllers
	some msg in create_pods.deny with input as role("Role", [deployments]) with data.kpc.params as controllers
	contains(msg, `grants ["create"] on ["deployments", "statefulsets"]`)
	count(create_pods.deny) == 1 with input as role("ClusterRole", [{"apiGroups": ["batch"], "resources": ["cronjobs"], "verbs": ["*"]}]) with data.kpc.params as controllers
	count(create_pods.deny) == 0 with input as role("ClusterRole", [{"apiGroups": ["apps"], "resources": ["jobs"], "verbs": ["create"]}]) with data.kpc.params as controllers
}

test_exempt_roles if {
	count(create_pods.deny) == 0 with input as role("Role", [pods_rule(["create"])]) with data.kpc.params as {"rbac-create-pods": {"exempt_roles": ["deploy*"]}}
	count(create_pods.deny) == 1 with input as role("Role", [pods_rule(["create"])]) with data.kpc.params as {"rbac-create-pods": {"exempt_roles": ["ci-*"]}}
}
