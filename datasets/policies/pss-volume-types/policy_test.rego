package kpc.policies.pss_volume_types_test

import data.kpc.policies.pss_volume_types

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

allowed_volumes := [
	{"name": "cfg", "configMap": {"name": "cfg"}},
	{"name": "csi", "csi": {"driver": "secrets-store.csi.k8s.io", "readOnly": true}},
	{"name": "podinfo", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
	{"name": "tmp", "emptyDir": {"medium": "Memory"}},
	{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}},
	{"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
	{"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
	{"name": "tls", "secret": {"secretName": "tls"}},
]

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_non_restricted_type_in_every_kind if {
	every obj in every_kind({"containers": [app], "volumes": array.concat(allowed_volumes, [{"name": "share", "nfs": {"server": "nfs.internal", "path": "/exports"}}])}) {
		count(pss_volume_types.deny) == 1 with input as obj
	}
}

test_denies_each_forbidden_type if {
	forbidden := [
		{"name": "a", "hostPath": {"path": "/var/log"}},
		{"name": "b", "gitRepo": {"repository": "https://example.com/r.git"}},
		{"name": "c", "iscsi": {"targetPortal": "10.0.0.1:3260", "iqn": "iqn.x", "lun": 0}},
		{"name": "d", "awsElasticBlockStore": {"volumeID": "vol-1"}},
		{"name": "e", "flexVolume": {"driver": "x/y"}},
		{"name": "f", "rbd": {"image": "img", "monitors": ["10.0.0.2"]}},
	]
	count(pss_volume_types.deny) == 6 with input as templated("StatefulSet", {"containers": [app], "volumes": forbidden})
}

test_message_names_resource_volume_path_and_type if {
	some msg in pss_volume_types.deny with input as cronjob({"containers": [app], "volumes": [{"name": "tmp", "emptyDir": {}}, {"name": "disk", "gcePersistentDisk": {"pdName": "d"}}]})
	contains(msg, "CronJob shop/c")
	contains(msg, "volume \"disk\"")
	contains(msg, "spec.jobTemplate.spec.template.spec.volumes[1]")
	contains(msg, "\"gcePersistentDisk\"")
}

test_allows_every_restricted_type if {
	every obj in every_kind({"containers": [app], "volumes": allowed_volumes}) {
		count(pss_volume_types.deny) == 0 with input as obj
	}
}

test_allows_no_volumes_name_only_and_null_sources if {
	count(pss_volume_types.deny) == 0 with input as pod({"containers": [app]})
	count(pss_volume_types.deny) == 0 with input as pod({"containers": [app], "volumes": [{"name": "defaulted"}]})
	count(pss_volume_types.deny) == 0 with input as pod({"containers": [app], "volumes": [{"name": "tmp", "emptyDir": {}, "hostPath": null}]})
}

test_unnamed_volume_uses_index if {
	some msg in pss_volume_types.deny with input as pod({"containers": [app], "volumes": [{"nfs": {"server": "s", "path": "/"}}]})
	contains(msg, "volume \"#0\"")
}

test_ignores_objects_without_pods if {
	count(pss_volume_types.deny) == 0 with input as service
}

vt_pod(volumes) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": {"volumes": volumes, "containers": [{"name": "a", "image": "a:1"}]}}

test_parameters_volume_types_and_flex_drivers if {
	nfs := {"name": "data", "nfs": {"server": "nfs.internal", "path": "/export"}}
	flex := {"name": "cifs", "flexVolume": {"driver": "fstab/cifs"}}
	count(data.kpc.policies.pss_volume_types.deny) == 2 with input as vt_pod([nfs, flex])
	count(data.kpc.policies.pss_volume_types.deny) == 1 with input as vt_pod([nfs, flex]) with data.kpc.params as {"pss-volume-types": {"allowed_volume_types": ["nfs", "secret"]}}
	count(data.kpc.policies.pss_volume_types.deny) == 1 with input as vt_pod([nfs, flex]) with data.kpc.params as {"pss-volume-types": {"allowed_flex_volume_drivers": ["fstab/cifs"]}}
	count(data.kpc.policies.pss_volume_types.deny) == 0 with input as vt_pod([flex]) with data.kpc.params as {"pss-volume-types": {"allowed_volume_types": ["flexVolume"]}}
	count(data.kpc.policies.pss_volume_types.deny) == 1 with input as vt_pod([flex]) with data.kpc.params as {"pss-volume-types": {"allowed_volume_types": ["flexVolume"], "allowed_flex_volume_drivers": ["other/driver"]}}
	some msg in data.kpc.policies.pss_volume_types.deny with input as vt_pod([flex]) with data.kpc.params as {"pss-volume-types": {"allowed_flex_volume_drivers": ["other/driver"]}}
	contains(msg, "uses volume type \"flexVolume\"; only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected, secret volumes are allowed (flexVolume only with the drivers other/driver)")
}
