# An sshd in a container is a second way in that bypasses the API server's authentication, RBAC
# and audit log (kubectl exec is the audited way), and usually comes with a password or a key
# baked into the image. Deny a container port (any container list) and a Service port, port or
# targetPort, in ssh_ports (default [22]) or named "ssh" (any case).
package kpc.policies.container_no_ssh_port

import data.kpc.lib.k8s

policy := "container-no-ssh-port"

ssh_ports := k8s.param(policy, "ssh_ports", [22])

ssh(value) if value in ssh_ports

ssh(value) if {
	is_string(value)
	lower(value) == "ssh"
}

deny contains msg if {
	some entry in k8s.checked_containers(policy)
	some j, port in k8s.as_array(object.get(entry.container, "ports", []))
	some field in ["containerPort", "name"]
	ssh(port[field])
	msg := sprintf(
		"%s: container %q (%s) exposes ports[%d].%s=%v, an SSH port; do not run sshd in containers, use kubectl exec (authenticated, authorised and audited) instead",
		[k8s.resource, entry.name, entry.list, j, field, port[field]],
	)
}

deny contains msg if {
	input.kind == "Service"
	some j, port in k8s.as_array(object.get(input, ["spec", "ports"], []))
	fields := [sprintf("%s=%v", [field, port[field]]) |
		some field in ["port", "targetPort", "name"]
		ssh(port[field])
	]
	count(fields) > 0
	msg := sprintf(
		"%s: spec.ports[%d] exposes an SSH port (%s); do not expose sshd through a Service, use kubectl exec (authenticated, authorised and audited) instead",
		[k8s.resource, j, concat(", ", fields)],
	)
}
