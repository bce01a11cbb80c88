package kpc.policies.pss_apparmor_test

import data.kpc.policies.pss_apparmor

app := {"name": "app", "image": "registry.internal.example/shop/app:1.0.0"}

profile(c, t) := object.union(c, {"securityContext": {"appArmorProfile": {"type": t}}})

key(container) := sprintf("container.apparmor.security.beta.kubernetes.io/%s", [container])

# Workloads whose pod metadata carries the given annotations, per kind.
annotated_pod(annotations, spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop", "annotations": annotations}, "spec": spec}

annotated_templated(kind, annotations, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"annotations": annotations}, "spec": spec}}}

annotated_cronjob(annotations, spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"annotations": annotations}, "spec": spec}}}}}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"metadata": {"labels": {"app.kubernetes.io/name": "w"}}, "spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

# The same pod spec under every workload kind.
every_kind(spec) := [pod(spec), templated("Deployment", spec), templated("StatefulSet", spec), templated("DaemonSet", spec), templated("ReplicaSet", spec), templated("Job", spec), cronjob(spec)]

service := {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "shop"}, "spec": {"type": "ClusterIP"}}

test_denies_unconfined_annotation_in_every_kind if {
	annotations := {key("app"): "unconfined"}
	spec := {"containers": [app]}
	count(pss_apparmor.deny) == 1 with input as annotated_pod(annotations, spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(pss_apparmor.deny) == 1 with input as annotated_templated(kind, annotations, spec)
	}
	count(pss_apparmor.deny) == 1 with input as annotated_cronjob(annotations, spec)
}

test_annotation_on_workload_metadata_is_not_the_pod_annotation if {
	obj := {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "w", "namespace": "shop", "annotations": {key("app"): "unconfined"}}, "spec": {"template": {"spec": {"containers": [app]}}}}
	count(pss_apparmor.deny) == 0 with input as obj
}

test_denies_unknown_annotation_values if {
	count(pss_apparmor.deny) == 2 with input as annotated_pod({key("app"): "docker-default", key("init"): "localhost/"}, {"containers": [app], "initContainers": [{"name": "init"}]})
}

test_annotation_message_names_resource_container_and_path if {
	some msg in pss_apparmor.deny with input as annotated_templated("Deployment", {key("sidecar"): "unconfined"}, {"containers": [app, {"name": "sidecar"}]})
	contains(msg, "Deployment shop/w")
	contains(msg, "container \"sidecar\"")
	contains(msg, "\"unconfined\"")
	contains(msg, "spec.template.metadata.annotations[\"container.apparmor.security.beta.kubernetes.io/sidecar\"]")
	some pod_msg in pss_apparmor.deny with input as annotated_pod({key("app"): "unconfined"}, {"containers": [app]})
	contains(pod_msg, "from metadata.annotations[")
	some cron_msg in pss_apparmor.deny with input as annotated_cronjob({key("app"): "unconfined"}, {"containers": [app]})
	contains(cron_msg, "spec.jobTemplate.spec.template.metadata.annotations[")
}

test_allows_runtime_default_and_localhost_annotations if {
	annotations := {key("app"): "runtime/default", key("init"): "localhost/k8s-apparmor-example", "prometheus.io/scrape": "true"}
	count(pss_apparmor.deny) == 0 with input as annotated_templated("StatefulSet", annotations, {"containers": [app], "initContainers": [{"name": "init"}]})
}

test_denies_unconfined_field_in_every_kind_and_level if {
	every obj in every_kind({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [app]}) {
		count(pss_apparmor.deny) == 1 with input as obj
	}
	every obj in every_kind({"containers": [profile(app, "Unconfined")]}) {
		count(pss_apparmor.deny) == 1 with input as obj
	}
}

test_denies_field_in_every_container_list if {
	count(pss_apparmor.deny) == 1 with input as pod({"containers": [app], "initContainers": [profile({"name": "init"}, "Unconfined")]})
	count(pss_apparmor.deny) == 1 with input as templated("Job", {"containers": [app], "ephemeralContainers": [profile({"name": "debug"}, "Unconfined")]})
}

test_field_messages_name_resource_container_and_field if {
	some msg in pss_apparmor.deny with input as templated("DaemonSet", {"containers": [app], "initContainers": [profile({"name": "setup"}, "Unconfined")]})
	contains(msg, "DaemonSet shop/w")
	contains(msg, "container \"setup\" (initContainers)")
	contains(msg, "securityContext.appArmorProfile.type=Unconfined")
	some pod_msg in pss_apparmor.deny with input as cronjob({"securityContext": {"appArmorProfile": {"type": "Unconfined"}}, "containers": [app]})
	contains(pod_msg, "spec.jobTemplate.spec.template.spec.securityContext.appArmorProfile.type=Unconfined")
}

test_allows_runtime_default_localhost_and_unset_fields if {
	count(pss_apparmor.deny) == 0 with input as pod({"containers": [app]})
	count(pss_apparmor.deny) == 0 with input as templated("Deployment", {"securityContext": {"appArmorProfile": {"type": "RuntimeDefault"}}, "containers": [profile(app, "Localhost")], "initContainers": [profile({"name": "i"}, "RuntimeDefault")]})
	count(pss_apparmor.deny) == 0 with input as pod({"securityContext": {"appArmorProfile": {"localhostProfile": "x"}}, "containers": [app]})
}

test_ignores_objects_without_pods if {
	count(pss_apparmor.deny) == 0 with input as service
}
