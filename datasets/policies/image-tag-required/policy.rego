# An image reference with neither a tag nor a digest ("nginx", "registry.internal.example/shop/web")
# resolves to whatever ":latest" points at when a node pulls it: two nodes can run different code
# under the same spec, and a rollback cannot name what ran before.
# Denies, in every container list (containers, initContainers, ephemeralContainers) of every
# workload kind, an image without a tag (":<tag>" after the last "/") and without a digest
# ("@<algorithm>:<hex>"). A registry port ("registry:5000/app") is not a tag. A container with no
# image (or a non-string one) is denied as well: nothing says which version it runs.
package kpc.policies.image_tag_required

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("image-tag-required")
	image := image_of(entry.container)
	not has_digest(image)
	not has_tag(image)
	msg := sprintf(
		"%s: container %q (%s) image %q has neither a tag nor a digest (%s.image); pin a version tag such as \":1.4.2\", ideally with an @sha256 digest",
		[k8s.resource, entry.name, entry.list, image, entry.path],
	)
}

image_of(c) := img if {
	img := c.image
	is_string(img)
} else := ""

alphanumerics := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

# The tag: what follows the last ":" in the last path segment, without the digest; it starts with a
# letter, digit or "_" and holds only letters, digits, "_", "." and "-".
has_tag(image) if {
	name := split(image, "@")[0]
	segments := split(name, "/")
	last := segments[count(segments) - 1]
	parts := split(last, ":")
	count(parts) > 1
	tag := parts[count(parts) - 1]
	tag != ""
	not substring(tag, 0, 1) in {".", "-"}
	trim(tag, concat("", [alphanumerics, "_.-"])) == ""
}

# A digest: "@<algorithm>:<at least 32 hex digits>" at the end, the algorithm being alphanumeric
# components joined by single "+", ".", "_" or "-" (any algorithm: a digest, even a short one, is
# not a missing tag; image-digest-pinned judges it).
has_digest(image) if {
	parts := split(image, "@")
	count(parts) > 1
	reference := split(parts[count(parts) - 1], ":")
	count(reference) == 2
	algorithm(reference[0])
	count(reference[1]) >= 32
	trim(reference[1], "0123456789abcdefABCDEF") == ""
}

separators := {"+", ".", "_", "-"}

algorithm(name) if {
	name != ""
	trim(name, concat("", [alphanumerics, "+._-"])) == ""
	not separators[substring(name, 0, 1)]
	not separators[substring(name, count(name) - 1, 1)]
	not doubled_separator(name)
}

doubled_separator(name) if {
	some a in separators
	some b in separators
	contains(name, concat("", [a, b]))
}
