# Windows HostProcess containers run directly on the node as a host process, outside any container
# isolation, so they hold the node's privileges: deny windowsOptions.hostProcess=true on the pod
# securityContext or on any container (containers, initContainers, ephemeralContainers).
# PSS Baseline "HostProcess" (baseline.host-process); CIS 5.2.11.
package kpc.policies.pss_host_process

import data.kpc.lib.k8s

deny contains msg if {
	k8s.pod_spec.securityContext.windowsOptions.hostProcess == true
	msg := sprintf("%s: %s.securityContext.windowsOptions.hostProcess=true; Windows HostProcess pods are not allowed (leave hostProcess unset or false)", [k8s.resource, k8s.pod_spec_path])
}

deny contains msg if {
	some entry in k8s.checked_containers("pss-host-process")
	entry.container.securityContext.windowsOptions.hostProcess == true
	msg := sprintf("%s: container %q (%s) sets securityContext.windowsOptions.hostProcess=true; Windows HostProcess containers are not allowed (leave hostProcess unset or false)", [k8s.resource, entry.name, entry.list])
}
