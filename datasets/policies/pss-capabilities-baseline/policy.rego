# Linux capabilities beyond the container runtime's default set (SYS_ADMIN, NET_ADMIN, NET_RAW,
# SYS_PTRACE, BPF, ...) open known container-escape and lateral-movement paths: deny any entry of
# securityContext.capabilities.add, in any container list, that is not in the Baseline allow list.
# PSS Baseline "Capabilities" (baseline.capabilities); CIS 5.2.9.
package kpc.policies.pss_capabilities_baseline

import data.kpc.lib.k8s

# The capabilities PSS Baseline lets a container add (the runtime's default set).
baseline_allowed := {
	"AUDIT_WRITE",
	"CHOWN",
	"DAC_OVERRIDE",
	"FOWNER",
	"FSETID",
	"KILL",
	"MKNOD",
	"NET_BIND_SERVICE",
	"SETFCAP",
	"SETGID",
	"SETPCAP",
	"SETUID",
	"SYS_CHROOT",
}

deny contains msg if {
	some entry in k8s.checked_containers("pss-capabilities-baseline")
	some capability in entry.container.securityContext.capabilities.add
	not baseline_allowed[capability]
	msg := sprintf("%s: container %q (%s) adds capability %q in securityContext.capabilities.add; only the Baseline set may be added (%s)", [k8s.resource, entry.name, entry.list, capability, concat(", ", sort(baseline_allowed))])
}
