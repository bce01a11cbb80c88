# Ports below 1024 are privileged: binding one takes root or the NET_BIND_SERVICE capability, so
# an image that listens on 80 or 443 pushes its pod towards running as root. Deny a containerPort
# from 1 to 1023 in any container list unless it is in allowed_ports (ports or ranges {min, max})
# or the container adds exactly the capability for it, NET_BIND_SERVICE (the house standard's one
# allowed addition; set allow_with_net_bind_service to false to deny those too). Listen on a high
# port and map it with the Service's port instead.
package kpc.policies.container_privileged_ports

import data.kpc.lib.k8s

policy := "container-privileged-ports"

allowed_ports := k8s.param(policy, "allowed_ports", [])

allowed(port) if port in allowed_ports

allowed(port) if {
	some range in allowed_ports
	is_object(range)
	not k8s.outside_range(port, range)
}

net_bind_service(c) if {
	k8s.param(policy, "allow_with_net_bind_service", true) == true
	some capability in k8s.as_array(object.get(c, ["securityContext", "capabilities", "add"], []))
	is_string(capability)
	trim_prefix(upper(capability), "CAP_") == "NET_BIND_SERVICE"
}

deny contains msg if {
	some entry in k8s.checked_containers(policy)
	not net_bind_service(entry.container)
	some j, port in k8s.as_array(object.get(entry.container, "ports", []))
	number := port.containerPort
	is_number(number)
	number > 0
	number < 1024
	not allowed(number)
	msg := sprintf(
		"%s: container %q (%s) listens on privileged port ports[%d].containerPort=%v, which needs root or NET_BIND_SERVICE; listen on a port of 1024 or above and map it in the Service",
		[k8s.resource, entry.name, entry.list, j, number],
	)
}
