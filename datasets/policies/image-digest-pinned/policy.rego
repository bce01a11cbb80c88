# A tag is a pointer that anyone with push rights can move; only a content digest names exactly the
# bytes that were built, scanned and approved. Pinning "@sha256:<64 hex>" makes every node run the
# same image and makes a swapped image fail to pull instead of running.
# Denies, in every container list of every workload kind, an image that does not end with
# "@sha256:" followed by 64 lowercase hex digits (the OCI encoding). A tag may precede the digest
# ("app:1.4.2@sha256:..."). Containers without an image are denied too. The check is
# k8s.pinned_by_digest, shared with image-no-latest-tag: an image pinned by digest is never "latest".
package kpc.policies.image_digest_pinned

import data.kpc.lib.k8s

deny contains msg if {
	some entry in k8s.checked_containers("image-digest-pinned")
	image := image_of(entry.container)
	not k8s.pinned_by_digest(image)
	msg := sprintf(
		"%s: container %q (%s) image %q is not pinned by digest (%s.image); append \"@sha256:<64 hex digits>\" of the approved build",
		[k8s.resource, entry.name, entry.list, image, entry.path],
	)
}

image_of(c) := img if {
	img := c.image
	is_string(img)
} else := ""
