# A probe on a port the container does not expose checks the wrong thing or nothing: a named port
# that the container does not declare makes the probe fail (the pod never gets ready, or is
# restarted forever), and a numeric port missing from ports[] usually means the probe and the
# server drifted apart. Deny livenessProbe, readinessProbe and startupProbe (httpGet, tcpSocket,
# grpc) whose named port is not a ports[].name of the same container, and, unless
# check_numeric_ports is false, whose numeric port is not a ports[].containerPort of it.
package kpc.policies.probes_port_exposed

import data.kpc.lib.k8s

policy := "probes-port-exposed"

probes := ["livenessProbe", "readinessProbe", "startupProbe"]

handlers := ["httpGet", "tcpSocket", "grpc"]

deny contains msg if {
	some entry in k8s.checked_containers(policy)
	ports := k8s.as_array(object.get(entry.container, "ports", []))
	some probe in probes
	some handler in handlers
	port := entry.container[probe][handler].port
	problem := unexposed(port, ports)
	msg := sprintf(
		"%s: container %q (%s) probes %s.%s.port=%v, but %s; probe a port the container declares in ports[]",
		[k8s.resource, entry.name, entry.list, probe, handler, port, problem],
	)
}

unexposed(port, ports) := sprintf("no ports[].name is %q (names: %v)", [port, names]) if {
	is_string(port)
	names := sort([p.name | some p in ports; is_string(p.name)])
	not port in names
}

unexposed(port, ports) := sprintf("no ports[].containerPort is %v (ports: %v)", [port, numbers]) if {
	is_number(port)
	k8s.param(policy, "check_numeric_ports", true) == true
	numbers := sort([p.containerPort | some p in ports; is_number(p.containerPort)])
	not port in numbers
}
