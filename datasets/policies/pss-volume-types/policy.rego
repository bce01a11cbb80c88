# Besides hostPath, in-tree volume plugins (nfs, iscsi, rbd, gitRepo, cloud disks, flexVolume, ...)
# mount storage straight from the pod spec, bypassing PersistentVolume admission and often running
# privileged node-side helpers. Deny every volume whose source is not one of the Restricted types:
# configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret (the
# parameter allowed_volume_types replaces this list). A flexVolume passes when its driver is in the
# parameter allowed_flex_volume_drivers (default none), or when "flexVolume" is an allowed type and
# that list is empty (any driver).
# PSS Restricted "Volume Types" (restricted.volume-types).
package kpc.policies.pss_volume_types

import data.kpc.lib.k8s

allowed_sources := {t | some t in k8s.param("pss-volume-types", "allowed_volume_types", ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"])}

flex_drivers := k8s.param("pss-volume-types", "allowed_flex_volume_drivers", [])

allowed_source(source, _) if {
	source != "flexVolume"
	allowed_sources[source]
}

allowed_source("flexVolume", value) if value.driver in flex_drivers

allowed_source("flexVolume", _) if {
	allowed_sources.flexVolume
	count(flex_drivers) == 0
}

deny contains msg if {
	some i, volume in object.get(k8s.pod_spec, "volumes", [])
	some source, value in volume
	source != "name"
	value != null
	not allowed_source(source, value)
	not source == "flexVolume"
	msg := sprintf("%s: volume %q (%s.volumes[%d]) uses volume type %q; only %s volumes are allowed", [k8s.resource, object.get(volume, "name", sprintf("#%d", [i])), k8s.pod_spec_path, i, source, concat(", ", sort(allowed_sources))])
}

deny contains msg if {
	some i, volume in object.get(k8s.pod_spec, "volumes", [])
	value := volume.flexVolume
	value != null
	not allowed_source("flexVolume", value)
	msg := sprintf("%s: volume %q (%s.volumes[%d]) uses volume type \"flexVolume\"; only %s volumes are allowed%s", [k8s.resource, object.get(volume, "name", sprintf("#%d", [i])), k8s.pod_spec_path, i, concat(", ", sort(allowed_sources)), flex_hint])
}

flex_hint := "" if count(flex_drivers) == 0

else := sprintf(" (flexVolume only with the drivers %s)", [concat(", ", sort(flex_drivers))])
