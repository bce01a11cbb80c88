package kpc.policies.metadata_required_labels_test

import data.kpc.policies.metadata_required_labels as required

labels := {
	"app.kubernetes.io/name": "web",
	"app.kubernetes.io/instance": "web-prod",
	"app.kubernetes.io/managed-by": "Helm",
	"team": "shop",
}

pod_labels := {"app.kubernetes.io/name": "web"}

meta(l) := {"name": "x", "namespace": "shop", "labels": l}

pod(l) := {"apiVersion": "v1", "kind": "Pod", "metadata": meta(l), "spec": {"containers": []}}

templated(kind, l, tl) := {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(l), "spec": {"template": {"metadata": {"labels": tl}, "spec": {}}}}

cronjob(l, tl) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta(l), "spec": {"jobTemplate": {"spec": {"template": {"metadata": {"labels": tl}, "spec": {}}}}}}

obj(kind, l) := {"apiVersion": "v1", "kind": kind, "metadata": meta(l)}

test_denies_missing_labels_on_every_kind if {
	partial := json.remove(labels, ["team"])
	count(required.deny) == 1 with input as pod(partial)
	every kind in ["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"] {
		count(required.deny) == 1 with input as templated(kind, partial, pod_labels)
	}
	count(required.deny) == 1 with input as cronjob(partial, pod_labels)
	every kind in ["Service", "Ingress", "ConfigMap"] {
		count(required.deny) == 1 with input as obj(kind, partial)
	}
}

test_one_message_lists_every_missing_label if {
	msgs := required.deny with input as obj("Service", {"app.kubernetes.io/name": "web"})
	count(msgs) == 1
	some msg in msgs
	contains(msg, "Service shop/x")
	contains(msg, "metadata.labels")
	contains(msg, `"app.kubernetes.io/instance"`)
	contains(msg, `"app.kubernetes.io/managed-by"`)
	contains(msg, `"team"`)
	not contains(msg, `"app.kubernetes.io/name"`)
}

test_empty_or_non_string_values_count_as_missing if {
	count(required.deny) == 1 with input as obj("ConfigMap", object.union(labels, {"team": ""}))
	count(required.deny) == 1 with input as obj("ConfigMap", object.union(labels, {"team": null}))
	count(required.deny) == 1 with input as obj("ConfigMap", object.union(labels, {"team": 7}))
}

test_denies_missing_or_null_metadata_labels if {
	count(required.deny) == 1 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}}
	count(required.deny) == 1 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm", "labels": null}}
	count(required.deny) == 1 with input as {"apiVersion": "v1", "kind": "ConfigMap"}
}

test_pod_template_must_carry_the_name_label if {
	count(required.deny) == 1 with input as templated("Deployment", labels, {"team": "shop"})
	count(required.deny) == 1 with input as templated("Job", labels, {})
	count(required.deny) == 1 with input as {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": meta(labels), "spec": {"template": {"spec": {}}}}
	count(required.deny) == 1 with input as {"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": meta(labels), "spec": {}}
	count(required.deny) == 1 with input as cronjob(labels, {"app.kubernetes.io/name": ""})
	some msg in required.deny with input as cronjob(labels, null)
	contains(msg, "CronJob shop/x")
	contains(msg, `"app.kubernetes.io/name"`)
	contains(msg, "spec.jobTemplate.spec.template.metadata.labels")
	some msg2 in required.deny with input as templated("ReplicaSet", labels, {})
	contains(msg2, "spec.template.metadata.labels")
}

test_both_messages_when_both_are_missing if {
	count(required.deny) == 2 with input as templated("Deployment", {}, {})
}

test_allows_fully_labelled_objects if {
	count(required.deny) == 0 with input as pod(labels)
	count(required.deny) == 0 with input as templated("Deployment", labels, pod_labels)
	count(required.deny) == 0 with input as cronjob(labels, object.union(labels, {"extra": "x"}))
	count(required.deny) == 0 with input as obj("Ingress", object.union(labels, {"tier": "edge"}))
}

test_labels_parameter if {
	params := {"metadata-required-labels": {"labels": ["owner"]}}
	count(required.deny) == 0 with input as obj("Service", {"owner": "shop"}) with data.kpc.params as params
	count(required.deny) == 1 with input as obj("Service", labels) with data.kpc.params as params
}

test_ignores_other_kinds if {
	count(required.deny) == 0 with input as obj("Secret", {})
	count(required.deny) == 0 with input as obj("ServiceAccount", {})
	count(required.deny) == 0 with input as {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r"}}
}
