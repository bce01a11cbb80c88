# With shareProcessNamespace every container of the pod sees, signals and can ptrace the others'
# processes and read their /proc/<pid>/root and environment (secrets included): deny
# shareProcessNamespace=true. Unset or false is allowed.
# No PSS control (hardening beyond Restricted).
package kpc.policies.pod_no_shared_process_namespace

import data.kpc.lib.k8s

deny contains msg if {
	k8s.pod_spec.shareProcessNamespace == true
	msg := sprintf("%s: %s.shareProcessNamespace=true; containers of a pod must not share one process namespace (leave it unset or false)", [k8s.resource, k8s.pod_spec_path])
}
