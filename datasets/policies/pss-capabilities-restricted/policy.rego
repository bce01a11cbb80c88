# Restricted containers run with no Linux capabilities except, optionally, NET_BIND_SERVICE (to
# bind ports below 1024). Deny any container (all lists) whose securityContext.capabilities.drop
# does not contain ALL, and any capability in capabilities.add other than NET_BIND_SERVICE.
# Windows pods (spec.os.name windows) are exempt.
# PSS Restricted "Capabilities" (restricted.capabilities); CIS 5.2.8, 5.2.10.
package kpc.policies.pss_capabilities_restricted

import data.kpc.lib.k8s

windows_pod if k8s.pod_spec.os.name == "windows"

drops_all(container) if {
	some capability in container.securityContext.capabilities.drop
	capability == "ALL"
}

deny contains msg if {
	not windows_pod
	some entry in k8s.checked_containers("pss-capabilities-restricted")
	not drops_all(entry.container)
	msg := sprintf("%s: container %q (%s) does not drop ALL in securityContext.capabilities.drop (has %v); drop ALL capabilities", [k8s.resource, entry.name, entry.list, dropped(entry.container)])
}

deny contains msg if {
	not windows_pod
	some entry in k8s.checked_containers("pss-capabilities-restricted")
	some capability in entry.container.securityContext.capabilities.add
	capability != "NET_BIND_SERVICE"
	msg := sprintf("%s: container %q (%s) adds capability %q in securityContext.capabilities.add; only NET_BIND_SERVICE may be added", [k8s.resource, entry.name, entry.list, capability])
}

dropped(container) := drop if {
	drop := container.securityContext.capabilities.drop
	drop != null
} else := []
