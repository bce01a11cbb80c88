# When a workload misbehaves at 3 a.m., on-call needs to know whom to call. The platform records the
# accountable person or team mailbox in the annotation kube-pac.io/owner on every workload.
# Denies an object of a kind in `owner_kinds` (default: Pod, Deployment, StatefulSet, DaemonSet,
# ReplicaSet, Job, CronJob) whose metadata.annotations lack the `owner_annotation` (default
# kube-pac.io/owner), or whose value is not a single email address (local@domain.tld, no display
# name, no list, no surrounding spaces). The annotation is read from the object's own metadata, not
# from its pod template. `required_annotations` adds annotations required per kind: a mapping of
# kind (or "*" for every kind) to annotation keys, each of which must be present with a non-empty
# string value, e.g. {"Service": ["kube-pac.io/exposure"], "*": ["kube-pac.io/cost-center"]}.
package kpc.policies.metadata_owner_annotation

import data.kpc.lib.k8s

key := k8s.param("metadata-owner-annotation", "owner_annotation", "kube-pac.io/owner")

owner_kinds := {kind | some kind in k8s.param("metadata-owner-annotation", "owner_kinds", ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"])}

deny contains msg if {
	owner_kinds[input.kind]
	object.get(annotations, key, null) == null
	msg := sprintf(
		"%s: metadata.annotations lacks %q; set it to the email address of the owning team",
		[k8s.resource, key],
	)
}

deny contains msg if {
	owner_kinds[input.kind]
	value := annotations[key]
	value != null
	not is_email(value)
	msg := sprintf(
		"%s: metadata.annotations[%q] is %v, not an email address; set it to the email address of the owning team",
		[k8s.resource, key, json.marshal(value)],
	)
}

# Annotations required for this kind by the parameter required_annotations (besides the owner).
required contains annotation if {
	some kind, keys in k8s.param("metadata-owner-annotation", "required_annotations", {})
	kind in {input.kind, "*"}
	some annotation in keys
	annotation != key
}

deny contains msg if {
	is_string(input.kind)
	some annotation in required
	not non_empty_string(object.get(annotations, annotation, null))
	msg := sprintf(
		"%s: metadata.annotations lacks %q (or it is empty); every %s must carry it (parameter required_annotations)",
		[k8s.resource, annotation, input.kind],
	)
}

non_empty_string(value) if {
	is_string(value)
	value != ""
}

annotations := k8s.annotations if {
	is_object(k8s.annotations)
} else := {}

email_local_characters := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._%+-"

domain_label_characters := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-"

# local@label(.label)*.tld: a local part of letters, digits and ._%+-, domain labels of letters,
# digits and "-", and a top-level domain of at least two letters (no regular expression).
is_email(value) if {
	is_string(value)
	parts := split(value, "@")
	count(parts) == 2
	parts[0] != ""
	trim(parts[0], email_local_characters) == ""
	labels := split(parts[1], ".")
	count(labels) >= 2
	every label in labels {
		label != ""
		trim(label, domain_label_characters) == ""
	}
	tld := labels[count(labels) - 1]
	count(tld) >= 2
	trim(tld, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") == ""
}
