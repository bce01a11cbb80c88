# A container with stdin (or stdinOnce) or tty set is meant to be attached to interactively: a
# debugging shell left in a manifest, which keeps a process waiting for a human and invites
# `kubectl attach` into production. Deny stdin: true, stdinOnce: true or tty: true in containers
# and initContainers. ephemeralContainers are not checked: they are added to a running pod by
# `kubectl debug -it`, the sanctioned way to get a shell, which sets exactly these fields.
package kpc.policies.container_no_stdin_tty

import data.kpc.lib.k8s

interactive_fields := ["stdin", "stdinOnce", "tty"]

deny contains msg if {
	some entry in k8s.checked_containers("container-no-stdin-tty")
	entry.list != "ephemeralContainers"
	set_fields := [sprintf("%s=true", [field]) |
		some field in interactive_fields
		entry.container[field] == true
	]
	count(set_fields) > 0
	msg := sprintf(
		"%s: container %q (%s) sets %s; containers must not be interactive (remove stdin, stdinOnce and tty, and use kubectl debug for a shell)",
		[k8s.resource, entry.name, entry.list, concat(", ", set_fields)],
	)
}
