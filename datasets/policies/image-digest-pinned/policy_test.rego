package kpc.policies.image_digest_pinned_test

import data.kpc.policies.image_digest_pinned

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

pinned := concat("@", ["registry.internal.example/shop/web:1.4.2", digest])

c(name, image) := {"name": name, "image": image}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

test_denies_tag_only_image_in_every_kind if {
	spec := {"containers": [c("app", "registry.internal.example/shop/web:1.4.2")]}
	count(image_digest_pinned.deny) == 1 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(image_digest_pinned.deny) == 1 with input as templated(kind, spec)
	}
	count(image_digest_pinned.deny) == 1 with input as cronjob(spec)
}

test_denies_in_every_container_list if {
	count(image_digest_pinned.deny) == 1 with input as pod({"containers": [c("app", pinned)], "initContainers": [c("init", "busybox:1.36")]})
	count(image_digest_pinned.deny) == 1 with input as pod({"containers": [c("app", pinned)], "ephemeralContainers": [c("debug", "busybox:1.36")]})
	count(image_digest_pinned.deny) == 2 with input as pod({"containers": [c("a", "nginx"), c("b", "redis:7")]})
}

test_denies_malformed_digests if {
	count(image_digest_pinned.deny) == 1 with input as pod({"containers": [c("app", "web@sha256:abc")]})
	count(image_digest_pinned.deny) == 1 with input as pod({"containers": [c("app", "web@sha256:0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef")]})
	count(image_digest_pinned.deny) == 1 with input as pod({"containers": [c("app", "web@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]})
	count(image_digest_pinned.deny) == 1 with input as pod({"containers": [c("app", concat("", ["web@", digest, "0"]))]})
	count(image_digest_pinned.deny) == 1 with input as pod({"containers": [c("app", concat("", ["@", digest]))]})
}

test_message_names_resource_container_image_and_field if {
	some msg in image_digest_pinned.deny with input as templated("StatefulSet", {"containers": [c("app", pinned)], "initContainers": [c("migrate", "registry.internal.example/data/migrate:3.0.0")]})
	contains(msg, "StatefulSet shop/w")
	contains(msg, `"migrate" (initContainers)`)
	contains(msg, `"registry.internal.example/data/migrate:3.0.0"`)
	contains(msg, "spec.template.spec.initContainers[0].image")
}

test_allows_pinned_images if {
	count(image_digest_pinned.deny) == 0 with input as pod({"containers": [c("app", pinned)]})
	count(image_digest_pinned.deny) == 0 with input as pod({"containers": [c("app", concat("@", ["nginx", digest]))]})
	count(image_digest_pinned.deny) == 0 with input as cronjob({"containers": [c("app", pinned)], "initContainers": [c("i", pinned)], "ephemeralContainers": [c("d", pinned)]})
}

test_missing_image_is_denied_without_crashing if {
	count(image_digest_pinned.deny) == 1 with input as pod({"containers": [{"name": "app"}]})
	count(image_digest_pinned.deny) == 1 with input as pod({"containers": [{"name": "app", "image": ["x"]}]})
	count(image_digest_pinned.deny) == 0 with input as pod({})
	count(image_digest_pinned.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}}
}
