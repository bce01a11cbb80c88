# A probe or lifecycle handler with httpGet.host or tcpSocket.host makes the kubelet connect to
# that host from the node's network namespace: a pod author can aim the kubelet at node-local or
# cluster-internal endpoints the pod itself cannot reach. Deny a host other than unset or ""
# (and the hosts the allowed_hosts parameter lists) in livenessProbe, readinessProbe,
# startupProbe and lifecycle.postStart / lifecycle.preStop of every container list.
# PSS Baseline "Host Probes / Lifecycle Hooks" (baseline.host-probes, Kubernetes 1.34+).
package kpc.policies.pss_host_probes

import data.kpc.lib.k8s

probe_fields := ["livenessProbe", "readinessProbe", "startupProbe"]

lifecycle_fields := ["postStart", "preStop"]

handler_types := ["httpGet", "tcpSocket"]

allowed_hosts := k8s.param("pss-host-probes", "allowed_hosts", [])

# [field path below the container, handler] for every probe and lifecycle handler.
probe_handlers(c) := [[field, c[field]] | some field in probe_fields; is_object(c[field])]

lifecycle_handlers(c) := [[concat(".", ["lifecycle", field]), c.lifecycle[field]] |
	some field in lifecycle_fields
	is_object(c.lifecycle[field])
]

deny contains msg if {
	some entry in k8s.checked_containers("pss-host-probes")
	some [field, handler] in array.concat(probe_handlers(entry.container), lifecycle_handlers(entry.container))
	some type in handler_types
	host := handler[type].host
	not host in {"", null}
	not host in allowed_hosts
	msg := sprintf(
		"%s: container %q (%s) sets %s.%s.host=%v; probes and lifecycle hooks must not set a host (leave it unset so the kubelet connects to the pod's own IP)",
		[k8s.resource, entry.name, entry.list, field, type, host],
	)
}
