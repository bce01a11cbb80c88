package kpc.policies.image_allowed_registries_test

import data.kpc.policies.image_allowed_registries

c(name, image) := {"name": name, "image": image}

internal := "registry.internal.example/shop/web:1.4.2"

mirrored := "mirror.internal.example/library/nginx:1.25"

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

test_denies_foreign_registry_in_every_kind if {
	spec := {"containers": [c("app", "ghcr.io/acme/web:1.0.0")]}
	count(image_allowed_registries.deny) == 1 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(image_allowed_registries.deny) == 1 with input as templated(kind, spec)
	}
	count(image_allowed_registries.deny) == 1 with input as cronjob(spec)
}

test_denies_in_every_container_list if {
	count(image_allowed_registries.deny) == 1 with input as pod({"containers": [c("app", internal)], "initContainers": [c("init", "quay.io/x/y:1")]})
	count(image_allowed_registries.deny) == 1 with input as pod({"containers": [c("app", internal)], "ephemeralContainers": [c("debug", "busybox:1.36")]})
	count(image_allowed_registries.deny) == 2 with input as pod({"containers": [c("a", "nginx:1.25"), c("b", "docker.io/library/redis:7")]})
}

test_images_without_registry_host_are_docker_hub if {
	some msg in image_allowed_registries.deny with input as pod({"containers": [c("app", "nginx:1.25")]})
	contains(msg, `registry "docker.io"`)
	some msg2 in image_allowed_registries.deny with input as pod({"containers": [c("app", "bitnami/redis:7")]})
	contains(msg2, `registry "docker.io"`)
}

test_prefix_must_end_at_a_path_boundary if {
	count(image_allowed_registries.deny) == 1 with input as pod({"containers": [c("app", "registry.internal.example.evil.io/shop/web:1")]})
	count(image_allowed_registries.deny) == 1 with input as pod({"containers": [c("app", "registry.internal.example:5000/shop/web:1")]})
	count(image_allowed_registries.deny) == 1 with input as pod({"containers": [c("app", "localhost/shop/web:1")]})
}

test_message_names_resource_container_registry_and_field if {
	some msg in image_allowed_registries.deny with input as cronjob({"containers": [c("app", internal)], "initContainers": [c("fetch", "quay.io/acme/fetch:2.0")]})
	contains(msg, "CronJob shop/c")
	contains(msg, `"fetch" (initContainers)`)
	contains(msg, `"quay.io/acme/fetch:2.0"`)
	contains(msg, `registry "quay.io"`)
	contains(msg, "spec.jobTemplate.spec.template.spec.initContainers[0].image")
	contains(msg, "registry.internal.example/")
}

test_allows_default_registries if {
	count(image_allowed_registries.deny) == 0 with input as pod({"containers": [c("app", internal)]})
	count(image_allowed_registries.deny) == 0 with input as templated("DaemonSet", {"containers": [c("app", mirrored)], "initContainers": [c("i", internal)], "ephemeralContainers": [c("d", internal)]})
}

test_registries_parameter if {
	params := {"image-allowed-registries": {"registries": ["ghcr.io/acme", "docker.io/"]}}
	count(image_allowed_registries.deny) == 0 with input as pod({"containers": [c("app", "ghcr.io/acme/web:1")]}) with data.kpc.params as params
	count(image_allowed_registries.deny) == 1 with input as pod({"containers": [c("app", "ghcr.io/acmecorp/web:1")]}) with data.kpc.params as params
	count(image_allowed_registries.deny) == 0 with input as pod({"containers": [c("app", "nginx:1.25"), c("b", "bitnami/redis:7"), c("d", "docker.io/library/x:1")]}) with data.kpc.params as params
	count(image_allowed_registries.deny) == 1 with input as pod({"containers": [c("app", internal)]}) with data.kpc.params as params
}

test_missing_image_is_denied_without_crashing if {
	count(image_allowed_registries.deny) == 1 with input as pod({"containers": [{"name": "app"}]})
	count(image_allowed_registries.deny) == 0 with input as pod({})
	count(image_allowed_registries.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
}
