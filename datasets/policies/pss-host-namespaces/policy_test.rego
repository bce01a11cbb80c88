package kpc.policies.pss_host_namespaces_test

import data.kpc.policies.pss_host_namespaces

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0", "ports": [{"containerPort": 8080}]}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_each_host_namespace_in_every_kind if {
	every field in ["hostNetwork", "hostPID", "hostIPC"] {
		every obj in every_kind({field: true, "containers": [app]}) {
			count(pss_host_namespaces.deny) == 1 with input as obj
		}
	}
}

test_denies_all_three_separately if {
	count(pss_host_namespaces.deny) == 3 with input as templated("DaemonSet", {"hostNetwork": true, "hostPID": true, "hostIPC": true, "containers": [app]})
}

test_message_names_resource_field_and_namespace if {
	msgs := pss_host_namespaces.deny with input as templated("Deployment", {"hostPID": true, "containers": [app]})
	some msg in msgs
	contains(msg, "Deployment shop/w")
	contains(msg, "spec.template.spec.hostPID=true")
	contains(msg, "process ID namespace")
	some net_msg in pss_host_namespaces.deny with input as pod({"hostNetwork": true, "containers": [app]})
	contains(net_msg, "Pod shop/p: spec.hostNetwork=true")
	some ipc_msg in pss_host_namespaces.deny with input as cronjob({"hostIPC": true, "containers": [app]})
	contains(ipc_msg, "spec.jobTemplate.spec.template.spec.hostIPC=true")
}

test_allows_false_and_unset if {
	count(pss_host_namespaces.deny) == 0 with input as pod({"containers": [app]})
	count(pss_host_namespaces.deny) == 0 with input as templated("StatefulSet", {"hostNetwork": false, "hostPID": false, "hostIPC": false, "containers": [app]})
	count(pss_host_namespaces.deny) == 0 with input as templated("Deployment", {"hostNetwork": null, "containers": [app]})
}

test_other_host_fields_are_not_namespaces if {
	count(pss_host_namespaces.deny) == 0 with input as pod({"hostUsers": false, "hostname": "db-0", "containers": [app]})
}

test_ignores_objects_without_pods if {
	count(pss_host_namespaces.deny) == 0 with input as service
}
