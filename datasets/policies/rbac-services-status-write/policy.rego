# CVE-2020-8554: whoever can update or patch services/status can set a LoadBalancer Service's
# status.loadBalancer.ingress[].ip to any address; kube-proxy then captures the cluster's traffic
# to that IP and sends it to the Service's pods (a man in the middle for every pod of the cluster).
# Deny Role and ClusterRole rules granting update, patch or "*" on services/status in the core
# group, through "services/status", "*/status" or "*". Only load-balancer controllers need it:
# name their roles in exempt_roles (globs).
package kpc.policies.rbac_services_status_write

import data.kpc.lib.k8s

policy := "rbac-services-status-write"

deny contains msg if {
	input.kind in {"Role", "ClusterRole"}
	not k8s.name_matches_any(k8s.param(policy, "exempt_roles", []))
	some i, rule in k8s.as_array(object.get(input, "rules", []))
	k8s.rule_in_group(rule, "")
	resources := k8s.rule_resources_matching(rule, "services/status")
	verbs := k8s.rule_verbs_matching(rule, {"update", "patch"})
	msg := sprintf(
		"%s: rules[%d] grants %v on services/status (rules[%d].resources %v); writing a Service's status lets its load-balancer IP capture cluster traffic (CVE-2020-8554): grant it only to the load-balancer controller",
		[k8s.resource, i, verbs, i, resources],
	)
}
