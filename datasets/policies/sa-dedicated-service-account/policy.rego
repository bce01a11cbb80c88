# A pod that names no service account runs as its namespace's "default" service account, which every
# other such pod shares: permissions granted for one workload leak to all of them and audit logs
# cannot tell them apart. CIS 5.1.5: default service accounts should not be actively used.
# Denies a workload (any kind with a pod spec) whose serviceAccountName is missing, empty or
# "default". The deprecated alias `serviceAccount` is honoured when serviceAccountName is absent,
# as the API server does.
package kpc.policies.sa_dedicated_service_account

import data.kpc.lib.k8s

deny contains msg if {
	spec := k8s.pod_spec
	not named_account(spec)
	msg := sprintf(
		"%s: %s.serviceAccountName is not set, so the pod runs as the namespace's \"default\" service account; create a dedicated ServiceAccount for the workload and name it here",
		[k8s.resource, k8s.pod_spec_path],
	)
}

deny contains msg if {
	spec := k8s.pod_spec
	named_account(spec) == "default"
	msg := sprintf(
		"%s: %s.serviceAccountName is \"default\"; create a dedicated ServiceAccount for the workload and name it here",
		[k8s.resource, k8s.pod_spec_path],
	)
}

named_account(spec) := spec.serviceAccountName if {
	is_string(spec.serviceAccountName)
	spec.serviceAccountName != ""
} else := spec.serviceAccount if {
	is_string(spec.serviceAccount)
	spec.serviceAccount != ""
}
