package kpc.policies.image_no_latest_tag_test

import data.kpc.policies.image_no_latest_tag

digest := "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

c(name, image) := {"name": name, "image": image}

pod(spec) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}, "spec": spec}

templated(kind, spec) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": spec}}}

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "shop"}, "spec": {"jobTemplate": {"spec": {"template": {"spec": spec}}}}}

test_denies_latest_in_every_kind if {
	spec := {"containers": [c("app", "registry.internal.example/shop/web:latest")]}
	count(image_no_latest_tag.deny) == 1 with input as pod(spec)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(image_no_latest_tag.deny) == 1 with input as templated(kind, spec)
	}
	count(image_no_latest_tag.deny) == 1 with input as cronjob(spec)
}

test_denies_in_every_container_list if {
	ok := c("app", "nginx:1.25")
	count(image_no_latest_tag.deny) == 1 with input as pod({"containers": [ok], "initContainers": [c("init", "busybox:latest")]})
	count(image_no_latest_tag.deny) == 1 with input as pod({"containers": [ok], "ephemeralContainers": [c("debug", "busybox:latest")]})
	count(image_no_latest_tag.deny) == 2 with input as pod({"containers": [c("a", "nginx:latest"), c("b", "localhost:5000/redis:latest")]})
}

test_message_names_resource_container_image_and_field if {
	some msg in image_no_latest_tag.deny with input as cronjob({"containers": [c("report", "registry.internal.example/data/report:latest")]})
	contains(msg, "CronJob shop/c")
	contains(msg, `"report" (containers)`)
	contains(msg, `"registry.internal.example/data/report:latest"`)
	contains(msg, "spec.jobTemplate.spec.template.spec.containers[0].image")
}

test_allows_latest_pinned_by_digest if {
	count(image_no_latest_tag.deny) == 0 with input as pod({"containers": [c("app", concat("@", ["nginx:latest", digest]))]})
}

test_allows_version_tags_and_lookalikes if {
	count(image_no_latest_tag.deny) == 0 with input as pod({"containers": [c("app", "nginx:1.25")]})
	count(image_no_latest_tag.deny) == 0 with input as pod({"containers": [c("app", "nginx:latest-alpine")]})
	count(image_no_latest_tag.deny) == 0 with input as pod({"containers": [c("app", "registry.internal.example/latest/app:2.0.0")]})
	count(image_no_latest_tag.deny) == 0 with input as pod({"containers": [c("app", "nginx:Latest")]})
	count(image_no_latest_tag.deny) == 0 with input as templated("Deployment", {"containers": [c("app", "nginx:1.25")], "initContainers": [c("i", "busybox:1.36")]})
}

test_untagged_is_left_to_image_tag_required if {
	count(image_no_latest_tag.deny) == 0 with input as pod({"containers": [c("app", "nginx")]})
	count(image_no_latest_tag.deny) == 0 with input as pod({"containers": [c("app", "localhost:5000/nginx")]})
}

test_missing_fields_do_not_crash if {
	count(image_no_latest_tag.deny) == 0 with input as pod({"containers": [{"name": "app"}]})
	count(image_no_latest_tag.deny) == 0 with input as pod({"containers": [{"name": "app", "image": null}]})
	count(image_no_latest_tag.deny) == 0 with input as pod({})
	count(image_no_latest_tag.deny) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}
}

# regression (issue 15): image-no-latest-tag and image-digest-pinned agree on what a digest pin is
test_agrees_with_image_digest_pinned if {
	images := [
		concat("@", ["nginx:latest", digest]),
		"nginx:latest@sha256:0123456789abcdef0123456789abcdef",
		"nginx:latest@sha256:0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF",
		"nginx:latest@sha512:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"nginx:latest",
	]
	every image in images {
		latest := count(image_no_latest_tag.deny) with input as pod({"containers": [c("app", image)]})
		unpinned := count(data.kpc.policies.image_digest_pinned.deny) with input as pod({"containers": [c("app", image)]})
		latest == unpinned
	}
}

test_denies_latest_with_a_digest_that_does_not_pin if {
	count(image_no_latest_tag.deny) == 1 with input as pod({"containers": [c("app", "nginx:latest@sha256:0123456789abcdef0123456789abcdef")]})
}
