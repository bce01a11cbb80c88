# CVE-2021-25740: whoever can write Endpoints or EndpointSlices can point a Service (or an
# Ingress backend) at any IP, including pods of other namespaces that NetworkPolicies protect,
# and so reach them through the Service. Kubernetes 1.22 removed this right from the built-in
# edit and admin roles; a ClusterRole labelled rbac.authorization.k8s.io/aggregate-to-edit (or
# -admin, -view) puts it back into every namespace's editors and admins.
# Deny rules granting create, update, patch or "*" on endpoints (core group) or endpointslices
# (discovery.k8s.io), "*" resources included, in ClusterRoles carrying one of the
# aggregation_labels with value "true"; with all_roles: true, in every Role and ClusterRole.
# Roles named in exempt_roles (globs, e.g. a controller that manages endpoints) are not checked.
package kpc.policies.rbac_endpoints_write

import data.kpc.lib.k8s

policy := "rbac-endpoints-write"

write_verbs := {"create", "update", "patch"}

targets := [{"group": "", "resource": "endpoints"}, {"group": "discovery.k8s.io", "resource": "endpointslices"}]

aggregation_labels := k8s.param(policy, "aggregation_labels", [
	"rbac.authorization.k8s.io/aggregate-to-admin",
	"rbac.authorization.k8s.io/aggregate-to-edit",
	"rbac.authorization.k8s.io/aggregate-to-view",
])

# Why the role is checked, for the message.
# (A role may carry several aggregation labels: the first in sorted order is named.)
checked := sprintf("it is aggregated through label %s=true", [keys[0]]) if {
	input.kind == "ClusterRole"
	keys := [key | some key in sort(aggregation_labels); k8s.labels[key] == "true"]
	count(keys) > 0
} else := "all_roles is set" if {
	input.kind in {"Role", "ClusterRole"}
	k8s.param(policy, "all_roles", false) == true
}

deny contains msg if {
	reason := checked
	not k8s.name_matches_any(k8s.param(policy, "exempt_roles", []))
	some i, rule in k8s.as_array(object.get(input, "rules", []))
	some target in targets
	k8s.rule_in_group(rule, target.group)
	resources := k8s.rule_resources_matching(rule, target.resource)
	verbs := k8s.rule_verbs_matching(rule, write_verbs)
	msg := sprintf(
		"%s: rules[%d] grants %v on %s (rules[%d].resources %v) and %s; writing Endpoints lets a Service route to any pod or IP (CVE-2021-25740): drop the write verbs",
		[k8s.resource, i, verbs, target.resource, i, resources, reason],
	)
}
