# Kubernetes mounts a service-account token into every pod unless told otherwise; most applications
# never call the API, and a leaked or stolen token lets an attacker act with the pod's permissions.
# CIS 5.1.6: mount service-account tokens only where necessary.
# Denies a workload (any kind with a pod spec) whose pod spec does not set
# automountServiceAccountToken to false (missing means true; only the boolean false passes), and a
# ServiceAccount named "default" that does not set automountServiceAccountToken: false, because every
# pod that names no service account inherits it. Pods that need the API should use a dedicated
# service account and a projected token volume.
package kpc.policies.sa_token_automount

import data.kpc.lib.k8s

deny contains msg if {
	spec := k8s.pod_spec
	not spec.automountServiceAccountToken == false
	msg := sprintf(
		"%s: %s.automountServiceAccountToken is %s; set it to false and project a token only into pods that call the Kubernetes API",
		[k8s.resource, k8s.pod_spec_path, current(spec)],
	)
}

deny contains msg if {
	input.kind == "ServiceAccount"
	k8s.name == "default"
	not input.automountServiceAccountToken == false
	msg := sprintf(
		"%s: the default service account has automountServiceAccountToken %s; set automountServiceAccountToken: false so pods that name no service account get no token",
		[k8s.resource, current(input)],
	)
}

current(obj) := sprintf("%v", [obj.automountServiceAccountToken]) if {
	obj.automountServiceAccountToken != null
} else := "not set (defaults to true)"
