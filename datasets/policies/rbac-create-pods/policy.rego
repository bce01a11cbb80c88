# Whoever can create pods in a namespace can run them as any ServiceAccount of that namespace
# (spec.serviceAccountName) and so act with every permission those accounts hold, mount any of
# its Secrets and ConfigMaps, and run any image. CIS Kubernetes Benchmark 5.1.4 (minimise access
# to create pods). Deny Role and ClusterRole rules granting create or "*" on pods in the core
# group (resources "pods" or "*"). With include_workload_controllers: true, creating the
# controllers that make pods counts too (deployments, statefulsets, daemonsets, replicasets in
# apps; jobs, cronjobs in batch; replicationcontrollers in core). Roles named in exempt_roles
# (globs, e.g. a CI deployer) are not checked.
package kpc.policies.rbac_create_pods

import data.kpc.lib.k8s

policy := "rbac-create-pods"

pods := [{"group": "", "resource": "pods"}]

controllers := [
	{"group": "apps", "resource": "deployments"},
	{"group": "apps", "resource": "statefulsets"},
	{"group": "apps", "resource": "daemonsets"},
	{"group": "apps", "resource": "replicasets"},
	{"group": "batch", "resource": "jobs"},
	{"group": "batch", "resource": "cronjobs"},
	{"group": "", "resource": "replicationcontrollers"},
]

targets := array.concat(pods, controllers) if {
	k8s.param(policy, "include_workload_controllers", false) == true
} else := pods

deny contains msg if {
	input.kind in {"Role", "ClusterRole"}
	not k8s.name_matches_any(k8s.param(policy, "exempt_roles", []))
	some i, rule in k8s.as_array(object.get(input, "rules", []))
	verbs := k8s.rule_verbs_matching(rule, {"create"})
	granted := [target.resource |
		some target in targets
		k8s.rule_in_group(rule, target.group)
		k8s.rule_resources_matching(rule, target.resource)
	]
	count(granted) > 0
	msg := sprintf(
		"%s: rules[%d] grants %v on %v (rules[%d].resources %v); creating pods runs them as any ServiceAccount of the namespace: grant it only to controllers and deployers that need it",
		[k8s.resource, i, verbs, sort(granted), i, sort(k8s.as_array(object.get(rule, "resources", [])))],
	)
}
