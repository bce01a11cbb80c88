# A hostPort binds a port on the node's own network interfaces, bypassing NetworkPolicies and
# Services and pinning the pod to nodes where the port is free: deny any container port (all
# container lists) with a non-zero hostPort, unless the `allowed_host_ports` parameter (default:
# none) allows it: its entries are ports (9100) or ranges ({"min": 9100, "max": 9199}).
# PSS Baseline "Host Ports" (baseline.host-ports); CIS 5.2.13.
package kpc.policies.pss_host_ports

import data.kpc.lib.k8s

allowed_host_ports := k8s.param("pss-host-ports", "allowed_host_ports", [])

allowed_port(port) if port in allowed_host_ports

allowed_port(port) if {
	some range in allowed_host_ports
	is_object(range)
	not k8s.outside_range(port, range)
}

# For messages: the ports, sorted, then the ranges ("9200-9299").
described_ports := array.concat(
	sort([p | some p in allowed_host_ports; not is_object(p)]),
	[k8s.describe_range(r) | some r in allowed_host_ports; is_object(r)],
)

deny contains msg if {
	some entry in k8s.checked_containers("pss-host-ports")
	some j, port in entry.container.ports
	host_port := object.get(port, "hostPort", 0)
	not host_port in {0, null}
	not allowed_port(host_port)
	msg := sprintf("%s: container %q (%s) sets ports[%d].hostPort=%v; host ports are not allowed (allowed: %v)", [k8s.resource, entry.name, entry.list, j, host_port, described_ports])
}
