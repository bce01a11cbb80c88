# The "latest" tag moves: the image behind it changes with every push, so what a pod runs depends
# on when its node pulled, rollbacks are impossible and caches hide which build is live.
# Denies an explicit ":latest" tag in any container list of any workload kind, unless the
# reference is also pinned by a digest ("app:latest@sha256:<64 hex>"): the runtime pulls the digest
# and ignores the tag, so such an image is immutable. "Pinned" is k8s.pinned_by_digest, the same
# check as image-digest-pinned: a truncated, upper-case or non-sha256 digest does not pin, so both
# policies deny "app:latest@sha256:abc…" and neither denies a properly pinned ":latest". Images with no tag at all (implicitly latest)
# are left to image-tag-required. The comparison is exact ("Latest" is a different tag).
package kpc.policies.image_no_latest_tag

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("image-no-latest-tag")
	image := entry.container.image
	is_string(image)
	tag_of(image) == "latest"
	not k8s.pinned_by_digest(image)
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
