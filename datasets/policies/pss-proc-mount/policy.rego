# The default /proc mount masks and read-only-mounts kernel interfaces (/proc/kcore, /proc/sys,
# ...); procMount Unmasked exposes them to the container. Deny securityContext.procMount set to
# anything but Default in any container list; unset is allowed. (Kubernetes 1.35+ relaxes the
# Baseline check for user-namespaced pods, hostUsers=false; Restricted does not, and neither does
# this policy.)
# PSS Baseline "/proc Mount Type" (baseline.proc-mount).
package kpc.policies.pss_proc_mount

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("pss-proc-mount")
	proc_mount := entry.container.securityContext.procMount
	proc_mount != null
	proc_mount != "Default"
	msg := sprintf("%s: container %q (%s) sets securityContext.procMount=%v; only Default (masked /proc) is allowed", [k8s.resource, entry.name, entry.list, proc_mount])
}
