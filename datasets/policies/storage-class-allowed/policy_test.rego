package kpc.policies.storage_class_allowed_test

import data.kpc.policies.storage_class_allowed as storage

pvc(spec) := {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data", "namespace": "shop"}, "spec": spec}

statefulset(specs) := {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db", "namespace": "shop"}, "spec": {
	"volumeClaimTemplates": [{"metadata": {"name": sprintf("v%d", [i])}, "spec": s} | some i, s in specs],
	"template": {"spec": {"containers": []}},
}}

ephemeral(kind, claim) := {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w", "namespace": "shop"}, "spec": {"template": {"spec": {"volumes": [{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": claim}}}]}}}} if kind != "Pod"

ephemeral(kind, claim) := {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "w", "namespace": "shop"}, "spec": {"volumes": [{"name": "scratch", "ephemeral": {"volumeClaimTemplate": {"spec": claim}}}]}} if kind == "Pod"

class(name, default_) := {"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": name, "annotations": {"storageclass.kubernetes.io/is-default-class": default_}}}

inventory := {"cluster": {"StorageClass": {"fast-ssd": class("fast-ssd", "false"), "standard-rwo": class("standard-rwo", "true")}}}

no_default := {"cluster": {"StorageClass": {"fast-ssd": class("fast-ssd", "false")}}}

fast := {"storageClassName": "fast-ssd", "accessModes": ["ReadWriteOnce"]}

typo := {"storageClassName": "fast-sdd"}

test_denies_a_missing_class_in_every_claim if {
	count(storage.deny) == 1 with input as pvc(typo) with data.inventory as inventory
	count(storage.deny) == 1 with input as statefulset([fast, typo]) with data.inventory as inventory
	every kind in ["Pod", "Deployment", "Job", "DaemonSet"] {
		count(storage.deny) == 1 with input as ephemeral(kind, typo) with data.inventory as inventory
	}
}

test_message_names_the_claim_path_and_the_classes if {
	some msg in storage.deny with input as statefulset([fast, typo]) with data.inventory as inventory
	contains(msg, "StatefulSet shop/db: spec.volumeClaimTemplates[1].spec.storageClassName is \"fast-sdd\"")
	contains(msg, `(it has ["fast-ssd", "standard-rwo"])`)
	some msg2 in storage.deny with input as ephemeral("Deployment", typo) with data.inventory as inventory
	contains(msg2, "spec.template.spec.volumes[0].ephemeral.volumeClaimTemplate.spec.storageClassName")
}

test_allowed_storage_classes_parameter if {
	params := {"storage-class-allowed": {"allowed_storage_classes": ["standard-rwo"]}}
	count(storage.deny) == 0 with input as pvc(fast) with data.inventory as inventory
	count(storage.deny) == 1 with input as pvc(fast) with data.inventory as inventory with data.kpc.params as params
	some msg in storage.deny with input as pvc(fast) with data.kpc.params as params
	contains(msg, `not an allowed StorageClass (allowed: ["standard-rwo"])`)

	# both problems at once: not allowed and not existing
	count(storage.deny) == 2 with input as pvc(typo) with data.inventory as inventory with data.kpc.params as params
}

test_unset_class_uses_the_default if {
	count(storage.deny) == 0 with input as pvc({}) with data.inventory as inventory
	count(storage.deny) == 0 with input as pvc({"storageClassName": null}) with data.inventory as inventory
	count(storage.deny) == 1 with input as pvc({}) with data.inventory as no_default
	some msg in storage.deny with input as pvc({}) with data.inventory as no_default
	contains(msg, "spec.storageClassName is not set and the cluster has no default StorageClass")
	some msg2 in storage.deny with input as pvc({}) with data.inventory as inventory with data.kpc.params as {"storage-class-allowed": {"allowed_storage_classes": ["fast-ssd"]}}
	contains(msg2, `the cluster default "standard-rwo" is not an allowed StorageClass`)
	count(storage.deny) == 1 with input as pvc({}) with data.inventory as inventory with data.kpc.params as {"storage-class-allowed": {"require_explicit_class": true}}
	count(storage.deny) == 0 with input as pvc({}) with data.inventory as inventory with data.kpc.params as {"storage-class-allowed": {"allowed_storage_classes": ["standard-rwo"]}}
}

test_nothing_to_compare_with_means_no_finding if {
	count(storage.deny) == 0 with input as pvc(typo)
	count(storage.deny) == 0 with input as pvc({})
	count(storage.deny) == 0 with input as statefulset([{"storageClassName": ""}]) with data.inventory as inventory
}

test_other_objects_and_malformed_claims if {
	count(storage.deny) == 0 with input as {"kind": "Service", "spec": {"storageClassName": "x"}} with data.inventory as inventory
	count(storage.deny) == 0 with input as pvc("x") with data.inventory as {}
	count(storage.deny) == 0 with input as pvc({"storageClassName": 7}) with data.inventory as inventory
	count(storage.deny) == 0 with input as {"kind": "StatefulSet", "spec": {"volumeClaimTemplates": "x"}} with data.inventory as inventory
	count(storage.deny) == 0 with input as ephemeral("Pod", "x") with data.inventory as inventory
}
