# Pod Security Admission enforces a Pod Security Standard only in namespaces labelled
# pod-security.kubernetes.io/enforce; without the label (or with "privileged") any pod spec is
# admitted, including privileged and host-namespace pods. Deny Namespaces whose enforce label is
# missing or not one of the allowed levels (parameter allowed_levels, default baseline and
# restricted). Namespaces listed in the parameter exempt_namespaces are skipped: by default the
# system namespaces kube-system (system DaemonSets need privileged), kube-public and kube-node-lease,
# which run no workloads of their own. (Related: CIS 5.2.1.)
package kpc.policies.namespace_pss_labels

import data.kpc.lib.k8s

label := "pod-security.kubernetes.io/enforce"

allowed_levels := {l | some l in k8s.param("namespace-pss-labels", "allowed_levels", ["baseline", "restricted"])}

exempt if k8s.name in k8s.param("namespace-pss-labels", "exempt_namespaces", ["kube-system", "kube-public", "kube-node-lease"])

deny contains msg if {
	input.kind == "Namespace"
	not exempt
	not k8s.labels[label]
	msg := sprintf(
		"%s: metadata.labels has no %s, so Pod Security Admission enforces nothing; set it to one of %v",
		[k8s.resource, label, sort(allowed_levels)],
	)
}

deny contains msg if {
	input.kind == "Namespace"
	not exempt
	level := k8s.labels[label]
	not allowed_levels[level]
	msg := sprintf(
		"%s: metadata.labels[%q] is %q; set it to one of %v",
		[k8s.resource, label, level, sort(allowed_levels)],
	)
}
