# Privileged containers share the host's devices and kernel capabilities: deny them.
# PSS Baseline "Privileged Containers"; CIS 5.2.2.
package kpc.policies.pss_privileged

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("pss-privileged")
	entry.container.securityContext.privileged == true
	msg := sprintf("%s: container %q (%s) sets securityContext.privileged=true; privileged containers are not allowed", [k8s.resource, entry.name, entry.list])
}
