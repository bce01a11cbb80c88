package kpc.policies.image_tag_required_test

import data.kpc.policies.image_tag_required

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

c(name, image) := {"name": name, "image": image}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

test_denies_untagged_image_in_every_kind if {
	spec := {"containers": [c("app", "registry.internal.example/shop/web")]}
	count(image_tag_required.deny) == 1 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(image_tag_required.deny) == 1 with input as templated(kind, spec)
	}
	count(image_tag_required.deny) == 1 with input as cronjob(spec)
}

test_denies_in_every_container_list if {
	ok := c("app", "nginx:1.25")
	count(image_tag_required.deny) == 1 with input as pod({"containers": [ok], "initContainers": [c("init", "busybox")]})
	count(image_tag_required.deny) == 1 with input as pod({"containers": [ok], "ephemeralContainers": [c("debug", "busybox")]})
	count(image_tag_required.deny) == 2 with input as pod({"containers": [c("a", "nginx"), c("b", "redis")]})
}

test_registry_port_is_not_a_tag if {
	count(image_tag_required.deny) == 1 with input as pod({"containers": [c("app", "registry.internal.example:5000/shop/web")]})
	count(image_tag_required.deny) == 0 with input as pod({"containers": [c("app", "registry.internal.example:5000/shop/web:2.1.0")]})
}

test_empty_tag_is_no_tag if {
	count(image_tag_required.deny) == 1 with input as pod({"containers": [c("app", "nginx:")]})
}

test_message_names_resource_container_image_and_field if {
	some msg in image_tag_required.deny with input as templated("Deployment", {"containers": [c("app", "nginx:1.25")], "initContainers": [c("setup", "busybox")]})
	contains(msg, "Deployment shop/w")
	contains(msg, `"setup" (initContainers)`)
	contains(msg, `"busybox"`)
	contains(msg, "spec.template.spec.initContainers[0].image")
}

test_allows_tag_digest_or_both if {
	count(image_tag_required.deny) == 0 with input as pod({"containers": [c("app", "nginx:1.25")]})
	count(image_tag_required.deny) == 0 with input as pod({"containers": [c("app", concat("@", ["registry.internal.example/shop/web", digest]))]})
	count(image_tag_required.deny) == 0 with input as cronjob({"containers": [c("app", concat("@", ["registry.internal.example/shop/web:1.2.3", digest]))], "initContainers": [c("i", "busybox:1.36")]})
}

test_missing_or_invalid_image_is_denied_without_crashing if {
	count(image_tag_required.deny) == 1 with input as pod({"containers": [{"name": "app"}]})
	count(image_tag_required.deny) == 1 with input as pod({"containers": [{"name": "app", "image": 42}]})
	some msg in image_tag_required.deny with input as pod({"containers": [{"image": "nginx"}]})
	contains(msg, `"#0"`)
}

test_ignores_objects_without_pods if {
	count(image_tag_required.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}}
	count(image_tag_required.deny) == 0 with input as pod({})
	count(image_tag_required.deny) == 0 with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}}
}

test_tag_and_digest_grammar_without_regular_expressions if {
	# tags: letters, digits, "_", ".", "-", not starting with "." or "-"
	every image in ["app:1.2.3", "app:_x", "app:v1-rc.1", "registry:5000/app:1", "app:a:b"] {
		count(image_tag_required.deny) == 0 with input as pod({"containers": [c("app", image)]})
	}
	every image in ["app:", "app:.x", "app:-x", "app:x/y", "registry:5000/app", "app:x!"] {
		count(image_tag_required.deny) == 1 with input as pod({"containers": [c("app", image)]})
	}

	# digests: any algorithm made of components joined by single separators, 32+ hex digits
	every image in ["app@sha256:0123456789abcdef0123456789abcdef", "app@sha512+b64.x:0123456789ABCDEF0123456789ABCDEF"] {
		count(image_tag_required.deny) == 0 with input as pod({"containers": [c("app", image)]})
	}
	every image in ["app@sha256:0123456789abcdef", "app@:0123456789abcdef0123456789abcdef", "app@sha__256:0123456789abcdef0123456789abcdef", "app@-sha:0123456789abcdef0123456789abcdef", "app@sha-:0123456789abcdef0123456789abcdef", "app@sha256:0123456789abcdef0123456789abcdeg"] {
		count(image_tag_required.deny) == 1 with input as pod({"containers": [c("app", image)]})
	}
}
