# A hostPort binds a port on the node's own network interfaces, bypassing NetworkPolicies and
# Services and pinning the pod to nodes where the port is free: deny any container port (all
# container lists) with a non-zero hostPort, unless the port is listed in the `allowed_host_ports`
# parameter (default: none).
# PSS Baseline "Host Ports" (baseline.host-ports); CIS 5.2.13.
package kpc.policies.pss_host_ports

import data.kpc.lib.k8s

allowed_host_ports := {port | some port in k8s.param("pss-host-ports", "allowed_host_ports", [])}

deny contains msg if {
	some entry in k8s.containers
	some j, port in entry.container.ports
	host_port := object.get(port, "hostPort", 0)
	not host_port in {0, null}
	not allowed_host_ports[host_port]
	msg := sprintf("%s: container %q (%s) sets ports[%d].hostPort=%v; host ports are not allowed (allowed: %v)", [k8s.resource, entry.name, entry.list, j, host_port, sort(allowed_host_ports)])
}
