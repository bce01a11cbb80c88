# A container whose image runs as UID 0 is root inside the container, one kernel bug away from
# root on the node. runAsNonRoot=true makes the kubelet refuse to start a container that would run
# as root. Every container (all lists) must have runAsNonRoot=true, from its own securityContext or
# inherited from the pod securityContext (the container value wins); an explicit false is denied
# wherever it appears, including on the pod when every container overrides it.
# PSS Restricted "Running as Non-root" (restricted.running-as-non-root); CIS 5.2.7.
package kpc.policies.pss_run_as_non_root

import data.kpc.lib.k8s

deny contains msg if {
	k8s.pod_spec.securityContext.runAsNonRoot == false
	msg := sprintf("%s: %s.securityContext.runAsNonRoot=false; containers must be required to run as non-root (set runAsNonRoot=true)", [k8s.resource, k8s.pod_spec_path])
}

deny contains msg if {
	some entry in k8s.checked_containers("pss-run-as-non-root")
	not runs_as_non_root(entry.container)
	msg := sprintf("%s: container %q (%s) %s; set securityContext.runAsNonRoot=true on the pod or the container", [k8s.resource, entry.name, entry.list, current(entry.container)])
}

# The container's own runAsNonRoot, else the pod's (k8s.effective_security), is true.
runs_as_non_root(container) if k8s.effective_security(container, "runAsNonRoot") == true

current(container) := sprintf("sets securityContext.runAsNonRoot=%v", [value]) if {
	value := container.securityContext.runAsNonRoot
} else := sprintf("inherits runAsNonRoot=%v from %s.securityContext", [value, k8s.pod_spec_path]) if {
	value := k8s.pod_spec.securityContext.runAsNonRoot
} else := "does not set securityContext.runAsNonRoot, neither does the pod"
