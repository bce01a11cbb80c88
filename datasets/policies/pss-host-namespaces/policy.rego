# A pod that shares the node's network, PID or IPC namespace can sniff host traffic, signal or
# inspect every process on the node, or read host shared memory: deny hostNetwork, hostPID and
# hostIPC set to true. Unset or false is allowed.
# PSS Baseline "Host Namespaces" (baseline.host-namespaces); CIS 5.2.3 (hostPID), 5.2.4 (hostIPC),
# 5.2.5 (hostNetwork).
package kpc.policies.pss_host_namespaces

import data.kpc.lib.k8s

# Pod spec field -> the host namespace it shares.
host_namespace_fields := {
	"hostNetwork": "network",
	"hostPID": "process ID",
	"hostIPC": "IPC",
}

deny contains msg if {
	some field, namespace_kind in host_namespace_fields
	k8s.pod_spec[field] == true
	msg := sprintf("%s: %s.%s=true; the pod must not share the node's %s namespace (leave %s unset or false)", [k8s.resource, k8s.pod_spec_path, field, namespace_kind, field])
}
