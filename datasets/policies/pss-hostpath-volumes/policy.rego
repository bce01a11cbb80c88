# A hostPath volume exposes the node's filesystem to the pod (container runtime sockets, kubelet
# credentials, /etc, ...), a well-known route to node takeover: deny every hostPath volume, unless
# the parameter allowed_host_paths (default none) lists it: entries {"path_prefix": "/var/log",
# "read_only": true}. A path is allowed under a prefix when it equals it or continues it after a "/"
# ("/var/log/pods", not "/var/logs"; ".." segments never pass); with read_only, every volumeMount of
# the volume in every container list must set readOnly: true.
# PSS Baseline "HostPath Volumes" (baseline.hostpath-volumes); CIS 5.2.12.
package kpc.policies.pss_hostpath_volumes

import data.kpc.lib.k8s

allowed_host_paths := k8s.param("pss-hostpath-volumes", "allowed_host_paths", [])

deny contains msg if {
	some i, volume in object.get(k8s.pod_spec, "volumes", [])
	object.get(volume, "hostPath", null) != null
	not allowed(volume)
	msg := sprintf("%s: volume %q (%s.volumes[%d].hostPath) mounts host path %q; %s", [k8s.resource, object.get(volume, "name", sprintf("#%d", [i])), k8s.pod_spec_path, i, host_path(volume), advice(volume)])
}

host_path(volume) := path if {
	path := volume.hostPath.path
	is_string(path)
} else := "<unset>"

under(path, prefix) if path == prefix

under(path, prefix) if startswith(path, concat("", [trim_suffix(prefix, "/"), "/"]))

# Allowed entries whose prefix covers the volume's path.
matching(volume) := [entry |
	path := host_path(volume)
	not contains(concat("", [path, "/"]), "/../")
	some entry in allowed_host_paths
	under(path, entry.path_prefix)
]

allowed(volume) if {
	some entry in matching(volume)
	not object.get(entry, "read_only", false)
}

allowed(volume) if {
	some entry in matching(volume)
	object.get(entry, "read_only", false) == true
	every mount in mounts_of(volume.name) {
		mount.readOnly == true
	}
}

mounts_of(name) := [mount |
	some entry in k8s.containers
	some mount in object.get(entry.container, "volumeMounts", [])
	mount.name == name
]

advice(volume) := "mount it with readOnly: true in every container (allowed_host_paths requires read-only)" if {
	count(matching(volume)) > 0
} else := "hostPath volumes are not allowed, use emptyDir, a PersistentVolumeClaim or a CSI volume"
