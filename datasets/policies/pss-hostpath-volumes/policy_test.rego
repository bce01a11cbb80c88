package kpc.policies.pss_hostpath_volumes_test

import data.kpc.policies.pss_hostpath_volumes

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

host_volume := {"name": "docker-sock", "hostPath": {"path": "/var/run/docker.sock", "type": "Socket"}}

cache := {"name": "cache", "emptyDir": {}}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_hostpath_in_every_kind if {
	every obj in every_kind({"containers": [app], "volumes": [cache, host_volume]}) {
		count(pss_hostpath_volumes.deny) == 1 with input as obj
	}
}

test_denies_each_hostpath_volume if {
	count(pss_hostpath_volumes.deny) == 2 with input as templated("DaemonSet", {"containers": [app], "volumes": [host_volume, {"name": "logs", "hostPath": {"path": "/var/log"}}]})
}

test_denies_read_only_and_typeless_hostpath if {
	count(pss_hostpath_volumes.deny) == 1 with input as pod({"containers": [app], "volumes": [{"name": "etc", "hostPath": {"path": "/etc", "type": "Directory"}}]})
	count(pss_hostpath_volumes.deny) == 1 with input as pod({"containers": [app], "volumes": [{"name": "weird", "hostPath": {}}]})
}

test_message_names_resource_volume_field_and_path if {
	some msg in pss_hostpath_volumes.deny with input as cronjob({"containers": [app], "volumes": [cache, host_volume]})
	contains(msg, "CronJob shop/c")
	contains(msg, "volume \"docker-sock\"")
	contains(msg, "spec.jobTemplate.spec.template.spec.volumes[1].hostPath")
	contains(msg, "\"/var/run/docker.sock\"")
}

test_message_handles_missing_path if {
	some msg in pss_hostpath_volumes.deny with input as pod({"containers": [app], "volumes": [{"name": "weird", "hostPath": {}}]})
	contains(msg, "<unset>")
}

test_allows_other_volumes_and_none if {
	count(pss_hostpath_volumes.deny) == 0 with input as pod({"containers": [app]})
	count(pss_hostpath_volumes.deny) == 0 with input as templated("Deployment", {"containers": [app], "volumes": [cache, {"name": "cfg", "configMap": {"name": "cfg"}}, {"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]})
	count(pss_hostpath_volumes.deny) == 0 with input as pod({"containers": [app], "volumes": [{"name": "n", "hostPath": null, "emptyDir": {}}]})
}

test_ignores_objects_without_pods if {
	count(pss_hostpath_volumes.deny) == 0 with input as service
}

hp_pod(path, read_only) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "agent", "namespace": "platform"}, "spec": {
	"volumes": [{"name": "logs", "hostPath": {"path": path}}],
	"containers": [{"name": "a", "image": "a:1", "volumeMounts": [{"name": "logs", "mountPath": "/logs", "readOnly": read_only}]}],
	"initContainers": [{"name": "i", "image": "a:1", "volumeMounts": [{"name": "logs", "mountPath": "/logs", "readOnly": true}]}],
}}

test_parameter_allowed_host_paths if {
	ro := {"pss-hostpath-volumes": {"allowed_host_paths": [{"path_prefix": "/var/log", "read_only": true}]}}
	rw := {"pss-hostpath-volumes": {"allowed_host_paths": [{"path_prefix": "/var/log/"}]}}
	count(data.kpc.policies.pss_hostpath_volumes.deny) == 1 with input as hp_pod("/var/log/pods", true)
	count(data.kpc.policies.pss_hostpath_volumes.deny) == 0 with input as hp_pod("/var/log/pods", true) with data.kpc.params as ro
	count(data.kpc.policies.pss_hostpath_volumes.deny) == 0 with input as hp_pod("/var/log", true) with data.kpc.params as ro
	count(data.kpc.policies.pss_hostpath_volumes.deny) == 1 with input as hp_pod("/var/logs", true) with data.kpc.params as ro
	count(data.kpc.policies.pss_hostpath_volumes.deny) == 1 with input as hp_pod("/var/log/../../etc", true) with data.kpc.params as ro
	count(data.kpc.policies.pss_hostpath_volumes.deny) == 1 with input as hp_pod("/var/log/pods", false) with data.kpc.params as ro
	count(data.kpc.policies.pss_hostpath_volumes.deny) == 0 with input as hp_pod("/var/log/pods", false) with data.kpc.params as rw
	some msg in data.kpc.policies.pss_hostpath_volumes.deny with input as hp_pod("/var/log/pods", false) with data.kpc.params as ro
	contains(msg, "mount it with readOnly: true in every container")
}
