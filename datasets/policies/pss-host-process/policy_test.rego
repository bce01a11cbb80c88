package kpc.policies.pss_host_process_test

import data.kpc.policies.pss_host_process

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

host_process(c) := object.union(c, {"securityContext": {"windowsOptions": {"hostProcess": true}}})

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_pod_level_host_process_in_every_kind if {
	spec := {"securityContext": {"windowsOptions": {"hostProcess": true}}, "hostNetwork": true, "containers": [app]}
	every obj in every_kind(spec) {
		count(pss_host_process.deny) == 1 with input as obj
	}
}

test_denies_container_host_process_in_every_list if {
	count(pss_host_process.deny) == 1 with input as pod({"containers": [host_process(app)]})
	count(pss_host_process.deny) == 1 with input as templated("Deployment", {"containers": [app], "initContainers": [host_process({"name": "init"})]})
	count(pss_host_process.deny) == 1 with input as cronjob({"containers": [app], "ephemeralContainers": [host_process({"name": "debug"})]})
	count(pss_host_process.deny) == 3 with input as pod({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [host_process(app), host_process({"name": "b"})]})
}

test_message_names_resource_container_and_field if {
	some msg in pss_host_process.deny with input as templated("DaemonSet", {"containers": [app], "initContainers": [host_process({"name": "setup"})]})
	contains(msg, "DaemonSet shop/w")
	contains(msg, "container \"setup\" (initContainers)")
	contains(msg, "securityContext.windowsOptions.hostProcess=true")
}

test_pod_message_names_pod_spec_path if {
	some msg in pss_host_process.deny with input as cronjob({"securityContext": {"windowsOptions": {"hostProcess": true}}, "containers": [app]})
	contains(msg, "CronJob shop/c")
	contains(msg, "spec.jobTemplate.spec.template.spec.securityContext.windowsOptions.hostProcess=true")
}

test_allows_false_unset_and_other_windows_options if {
	count(pss_host_process.deny) == 0 with input as pod({"containers": [app]})
	count(pss_host_process.deny) == 0 with input as pod({"securityContext": {"windowsOptions": {"hostProcess": false}}, "containers": [object.union(app, {"securityContext": {"windowsOptions": {"hostProcess": false}}})]})
	count(pss_host_process.deny) == 0 with input as templated("Deployment", {"securityContext": {"windowsOptions": {"runAsUserName": "ContainerUser"}}, "containers": [object.union(app, {"securityContext": {"windowsOptions": {"gmsaCredentialSpecName": "gmsa"}}})]})
	count(pss_host_process.deny) == 0 with input as pod({"securityContext": null, "containers": [object.union(app, {"securityContext": null})]})
}

test_ignores_objects_without_pods if {
	count(pss_host_process.deny) == 0 with input as service
}
