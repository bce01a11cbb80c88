# The "latest" tag moves: the image behind it changes with every push, so what a pod runs depends
# on when its node pulled, rollbacks are impossible and caches hide which build is live.
# Denies an explicit ":latest" tag in any container list of any workload kind, unless the
# reference is also pinned by a digest ("app:latest@sha256:..."): the runtime pulls the digest and
# ignores the tag, so such an image is immutable. Images with no tag at all (implicitly latest)
# are left to image-tag-required. The comparison is exact ("Latest" is a different tag).
package kpc.policies.image_no_latest_tag

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.containers
	image := entry.container.image
	is_string(image)
	tag_of(image) == "latest"
	not has_digest(image)
	msg := sprintf(
		"%s: container %q (%s) image %q uses the mutable tag \"latest\" (%s.image); use a version tag or pin the image with an @sha256 digest",
		[k8s.resource, entry.name, entry.list, image, entry.path],
	)
}

# The tag: what follows ":" in the last path segment, without the digest.
tag_of(image) := tag if {
	name := split(image, "@")[0]
	segments := split(name, "/")
	last := segments[count(segments) - 1]
	i := indexof(last, ":")
	i >= 0
	tag := substring(last, i + 1, -1)
}

has_digest(image) if regex.match(`@[A-Za-z0-9]+([+._-][A-Za-z0-9]+)*:[A-Fa-f0-9]{32,}$`, image)
