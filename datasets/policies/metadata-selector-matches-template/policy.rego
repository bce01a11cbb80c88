# A Deployment, StatefulSet, DaemonSet or ReplicaSet whose spec.selector does not select its own
# pod template labels is rejected by the API server ("selector does not match template labels"),
# and an empty selector is rejected as selecting everything; the mistake usually comes from
# editing one of the two lists and not the other. Deny a missing or empty spec.selector and a
# selector (matchLabels and matchExpressions In, NotIn, Exists, DoesNotExist) that does not
# select spec.template.metadata.labels.
package kpc.policies.metadata_selector_matches_template

import data.kpc.lib.k8s

kinds := {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet"}

selector := object.get(input, ["spec", "selector"], null)

template_labels := k8s.as_object(object.get(input, ["spec", "template", "metadata", "labels"], {}))

# "k=v" for matchLabels and "key Operator (v1, v2)" for matchExpressions, sorted.
described(sel) := sort(array.concat(
	[sprintf("%s=%v", [key, value]) | some key, value in k8s.as_object(object.get(sel, "matchLabels", {}))],
	[sprintf("%v %v (%s)", [object.get(e, "key", ""), object.get(e, "operator", ""), values_text(e)]) |
		some e in k8s.as_array(object.get(sel, "matchExpressions", []))
	],
))

values_text(expression) := concat(", ", [sprintf("%v", [v]) | some v in k8s.as_array(object.get(expression, "values", []))])

deny contains msg if {
	kinds[input.kind]
	not non_empty_selector
	msg := sprintf(
		"%s: spec.selector is missing or empty; apps/v1 requires a selector that matches the pod template labels (e.g. matchLabels app.kubernetes.io/name)",
		[k8s.resource],
	)
}

non_empty_selector if count(described(selector)) > 0

deny contains msg if {
	kinds[input.kind]
	non_empty_selector
	not k8s.selector_matches(selector, template_labels)
	labels := sort([sprintf("%s=%v", [key, value]) | some key, value in template_labels])
	msg := sprintf(
		"%s: spec.selector {%s} does not select the pod template labels {%s} (spec.template.metadata.labels), so the API server rejects it; make the selector a subset of the template labels",
		[k8s.resource, concat(", ", described(selector)), concat(", ", labels)],
	)
}
