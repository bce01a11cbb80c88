package kpc.policies.metadata_owner_annotation_test

import data.kpc.policies.metadata_owner_annotation as owner

meta(annotations) := {"name": "x", "namespace": "shop", "annotations": annotations}

workload(kind, annotations) := {"apiVersion": "apps/v1", "kind": kind, "metadata": meta(annotations), "spec": {}}

good := {"kube-pac.io/owner": "shop-team@example.com"}

test_denies_missing_annotation_on_every_workload_kind if {
	every kind in ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"] {
		count(owner.deny) == 1 with input as workload(kind, {})
	}
}

test_denies_missing_or_null_annotations if {
	count(owner.deny) == 1 with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop"}}
	count(owner.deny) == 1 with input as {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "shop", "annotations": null}}
	count(owner.deny) == 1 with input as workload("Job", {"kube-pac.io/owner": null})
	count(owner.deny) == 1 with input as {"apiVersion": "v1", "kind": "Pod"}
}

test_denies_values_that_are_not_an_email if {
	every value in ["", "shop-team", "@example.com", "a@b", "Shop Team <shop@example.com>", "a@example.com, b@example.com", " a@example.com", 42, false] {
		count(owner.deny) == 1 with input as workload("Deployment", {"kube-pac.io/owner": value})
	}
}

test_messages_name_resource_annotation_and_value if {
	some msg in owner.deny with input as workload("CronJob", {"other": "x"})
	contains(msg, "CronJob shop/x")
	contains(msg, `metadata.annotations lacks "kube-pac.io/owner"`)
	some msg2 in owner.deny with input as workload("StatefulSet", {"kube-pac.io/owner": "shop-team"})
	contains(msg2, "StatefulSet shop/x")
	contains(msg2, `metadata.annotations["kube-pac.io/owner"] is "shop-team", not an email address`)
}

test_allows_email_owner if {
	every kind in ["Pod", "Deployment", "CronJob"] {
		count(owner.deny) == 0 with input as workload(kind, good)
	}
	count(owner.deny) == 0 with input as workload("Job", {"kube-pac.io/owner": "data.platform+oncall@corp.example.co.uk"})
}

test_annotation_on_pod_template_does_not_count if {
	count(owner.deny) == 1 with input as {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d", "namespace": "shop"}, "spec": {"template": {"metadata": {"annotations": good}}}}
}

test_ignores_non_workloads if {
	count(owner.deny) == 0 with input as {"apiVersion": "v1", "kind": "Service", "metadata": meta({})}
	count(owner.deny) == 0 with input as {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta({})}
}

test_email_grammar_without_regular_expressions if {
	every value in ["a@example.com", "first.last+tag@sub.example.co", "a_b%c@x-y.example.org", "A@B.CD"] {
		count(owner.deny) == 0 with input as workload("Deployment", {"kube-pac.io/owner": value})
	}
	every value in ["a@@example.com", "a@example.c", "a@example.c0m", "a@.example.com", "a@example..com", "a@example.com.", "a b@example.com", "a@exa_mple.com", "a@example"] {
		count(owner.deny) == 1 with input as workload("Deployment", {"kube-pac.io/owner": value})
	}
}

test_parameter_required_annotations_per_kind if {
	params := {"metadata-owner-annotation": {"required_annotations": {"Service": ["kube-pac.io/exposure"], "*": ["kube-pac.io/cost-center"]}}}
	svc := {"apiVersion": "v1", "kind": "Service", "metadata": meta({})}
	count(owner.deny) == 0 with input as svc
	count(owner.deny) == 2 with input as svc with data.kpc.params as params
	some msg in owner.deny with input as svc with data.kpc.params as params
	contains(msg, "Service shop/x: metadata.annotations lacks \"kube-pac.io/exposure\" (or it is empty); every Service must carry it (parameter required_annotations)")
	count(owner.deny) == 0 with input as object.union(svc, {"metadata": meta({"kube-pac.io/exposure": "internal", "kube-pac.io/cost-center": "cc-12"})}) with data.kpc.params as params
	count(owner.deny) == 1 with input as object.union(svc, {"metadata": meta({"kube-pac.io/exposure": "", "kube-pac.io/cost-center": "cc-12"})}) with data.kpc.params as params

	# a Deployment needs the owner and the "*" annotation
	count(owner.deny) == 1 with input as workload("Deployment", good) with data.kpc.params as params
}

test_parameters_owner_annotation_and_owner_kinds if {
	params := {"metadata-owner-annotation": {"owner_annotation": "example.com/owner", "owner_kinds": ["Deployment", "Service"]}}
	count(owner.deny) == 1 with input as workload("Deployment", good) with data.kpc.params as params
	count(owner.deny) == 0 with input as workload("Deployment", {"example.com/owner": "team@example.com"}) with data.kpc.params as params
	count(owner.deny) == 0 with input as workload("Pod", {}) with data.kpc.params as params
	count(owner.deny) == 1 with input as {"apiVersion": "v1", "kind": "Service", "metadata": meta({})} with data.kpc.params as params
}
