# A hostPath volume exposes the node's filesystem to the pod (container runtime sockets, kubelet
# credentials, /etc, ...), a well-known route to node takeover: deny every hostPath volume,
# whatever its path or readOnly setting.
# PSS Baseline "HostPath Volumes" (baseline.hostpath-volumes); CIS 5.2.12.
package kpc.policies.pss_hostpath_volumes

import data.kpc.lib.k8s

deny contains msg if {
	some i, volume in object.get(k8s.pod_spec, "volumes", [])
	object.get(volume, "hostPath", null) != null
	msg := sprintf("%s: volume %q (%s.volumes[%d].hostPath) mounts host path %q; hostPath volumes are not allowed, use emptyDir, a PersistentVolumeClaim or a CSI volume", [k8s.resource, object.get(volume, "name", sprintf("#%d", [i])), k8s.pod_spec_path, i, host_path(volume)])
}

host_path(volume) := path if {
	path := volume.hostPath.path
	is_string(path)
} else := "<unset>"
