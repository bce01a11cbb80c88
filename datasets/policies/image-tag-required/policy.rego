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
	some entry in k8s.containers
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

# The tag: what follows ":" in the last path segment, without the digest.
has_tag(image) if {
	name := split(image, "@")[0]
	segments := split(name, "/")
	last := segments[count(segments) - 1]
	regex.match(`:[A-Za-z0-9_][A-Za-z0-9_.-]*$`, last)
}

has_digest(image) if regex.match(`@[A-Za-z0-9]+([+._-][A-Za-z0-9]+)*:[A-Fa-f0-9]{32,}$`, image)
