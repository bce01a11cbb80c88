# Images must come from registries the platform controls (scanned, mirrored, signed): a pull from a
# public registry can change under us, hit rate limits or fetch a typo-squatted image.
# Denies, in every container list of every workload kind, an image that does not start with one of
# the prefixes in parameter `registries`. A prefix without a trailing "/" gets one, so
# "registry.internal.example" does not admit "registry.internal.example.evil.io/...". An image
# without a registry host ("nginx:1.25", "library/nginx") is a Docker Hub image: the message names
# docker.io and it is denied unless "docker.io/" is explicitly allowed (then it is matched as
# "docker.io/library/nginx:1.25"). Containers without an image are denied too.
package kpc.policies.image_allowed_registries

import data.kpc.lib.k8s

default_registries := ["registry.internal.example/", "mirror.internal.example/"]

allowed := {with_slash(r) | some r in k8s.param("image-allowed-registries", "registries", default_registries)}

deny contains msg if {
	some entry in k8s.checked_containers("image-allowed-registries")
	image := image_of(entry.container)
	ref := qualified(image)
	not from_allowed(ref)
	msg := sprintf(
		"%s: container %q (%s) image %q comes from registry %q, which is not allowed (%s.image); use one of %v",
		[k8s.resource, entry.name, entry.list, image, registry(image), entry.path, sort(allowed)],
	)
}

from_allowed(ref) if {
	some prefix in allowed
	startswith(ref, prefix)
}

with_slash(r) := r if endswith(r, "/")

with_slash(r) := concat("", [r, "/"]) if not endswith(r, "/")

image_of(c) := img if {
	img := c.image
	is_string(img)
} else := ""

# The registry host: the first path segment when it looks like a host ("." or ":" or localhost).
registry(image) := host if {
	segments := split(image, "/")
	count(segments) > 1
	host := segments[0]
	looks_like_host(host)
} else := "docker.io"

looks_like_host(s) if contains(s, ".")

looks_like_host(s) if contains(s, ":")

looks_like_host("localhost")

# The reference with its registry spelled out, the way the runtime resolves it.
qualified(image) := image if registry(image) != "docker.io"

qualified(image) := image if {
	registry(image) == "docker.io"
	startswith(image, "docker.io/")
}

qualified(image) := concat("", ["docker.io/", image]) if {
	registry(image) == "docker.io"
	not startswith(image, "docker.io/")
	contains(image, "/")
}

qualified(image) := concat("", ["docker.io/library/", image]) if {
	registry(image) == "docker.io"
	not contains(image, "/")
}
