# Besides hostPath, in-tree volume plugins (nfs, iscsi, rbd, gitRepo, cloud disks, flexVolume, ...)
# mount storage straight from the pod spec, bypassing PersistentVolume admission and often running
# privileged node-side helpers. Deny every volume whose source is not one of the Restricted types:
# configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret.
# PSS Restricted "Volume Types" (restricted.volume-types).
package kpc.policies.pss_volume_types

import data.kpc.lib.k8s

allowed_sources := {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}

deny contains msg if {
	some i, volume in object.get(k8s.pod_spec, "volumes", [])
	some source, value in volume
	source != "name"
	value != null
	not allowed_sources[source]
	msg := sprintf("%s: volume %q (%s.volumes[%d]) uses volume type %q; only %s volumes are allowed", [k8s.resource, object.get(volume, "name", sprintf("#%d", [i])), k8s.pod_spec_path, i, source, concat(", ", sort(allowed_sources))])
}
