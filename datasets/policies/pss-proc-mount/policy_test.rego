package kpc.policies.pss_proc_mount_test

import data.kpc.policies.pss_proc_mount

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

proc(c, value) := object.union(c, {"securityContext": {"procMount": value}})

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_unmasked_in_every_kind if {
	every obj in every_kind({"hostUsers": false, "containers": [proc(app, "Unmasked")]}) {
		count(pss_proc_mount.deny) == 1 with input as obj
	}
}

test_denies_in_every_container_list if {
	count(pss_proc_mount.deny) == 1 with input as pod({"containers": [app], "initContainers": [proc({"name": "init"}, "Unmasked")]})
	count(pss_proc_mount.deny) == 1 with input as templated("Deployment", {"containers": [app], "ephemeralContainers": [proc({"name": "debug"}, "Unmasked")]})
	count(pss_proc_mount.deny) == 2 with input as pod({"containers": [proc(app, "Unmasked"), proc({"name": "b"}, "unmasked")]})
}

test_message_names_resource_container_and_field if {
	some msg in pss_proc_mount.deny with input as templated("StatefulSet", {"containers": [app], "initContainers": [proc({"name": "setup"}, "Unmasked")]})
	contains(msg, "StatefulSet shop/w")
	contains(msg, "container \"setup\" (initContainers)")
	contains(msg, "securityContext.procMount=Unmasked")
}

test_allows_default_and_unset if {
	count(pss_proc_mount.deny) == 0 with input as pod({"containers": [app]})
	count(pss_proc_mount.deny) == 0 with input as cronjob({"containers": [proc(app, "Default")], "initContainers": [proc({"name": "i"}, null)]})
	count(pss_proc_mount.deny) == 0 with input as pod({"containers": [object.union(app, {"securityContext": null})]})
}

test_ignores_objects_without_pods if {
	count(pss_proc_mount.deny) == 0 with input as service
}
