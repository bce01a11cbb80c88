# Most kernel parameters are node-wide or not isolated between pods; setting them from a pod can
# weaken the node or its neighbours. Deny spec.securityContext.sysctls entries whose name is
# outside the safe, namespaced set PSS Baseline allows.
# PSS Baseline "Sysctls" (baseline.sysctls).
package kpc.policies.pss_sysctls

import data.kpc.lib.k8s

# The safe sysctls of PSS Baseline (the later ones since Kubernetes 1.27 / 1.29).
safe_sysctls := {
	"kernel.shm_rmid_forced",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.ip_unprivileged_port_start",
	"net.ipv4.tcp_syncookies",
	"net.ipv4.ping_group_range",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_keepalive_time",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_keepalive_intvl",
	"net.ipv4.tcp_keepalive_probes",
}

deny contains msg if {
	some i, sysctl in k8s.pod_spec.securityContext.sysctls
	name := object.get(sysctl, "name", "<unnamed>")
	not safe_sysctls[name]
	msg := sprintf("%s: %s.securityContext.sysctls[%d] sets %q; only the safe sysctls are allowed (%s)", [k8s.resource, k8s.pod_spec_path, i, name, concat(", ", sort(safe_sysctls))])
}
