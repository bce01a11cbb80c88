# A claim naming a StorageClass that does not exist (a typo, a class of another cluster) stays
# Pending forever and its pod never starts; one outside the platform's list gets storage nobody
# backs up or pays for. Checks every claim: a PersistentVolumeClaim's spec.storageClassName, a
# StatefulSet's spec.volumeClaimTemplates[].spec.storageClassName and the generic ephemeral
# volumes (volumes[].ephemeral.volumeClaimTemplate) of every workload kind. Deny a class that is
# not in allowed_storage_classes (when that list is set) or not among the StorageClasses of the
# synced inventory (when it holds any). A claim without a class gets the cluster default: deny it
# when the inventory has StorageClasses but none is marked default
# (storageclass.kubernetes.io/is-default-class: "true"), when that default is not allowed, or
# always with require_explicit_class. storageClassName "" (static binding to a PersistentVolume)
# is not judged.
package kpc.policies.storage_class_allowed

import data.kpc.lib.k8s

policy := "storage-class-allowed"

allowed := k8s.param(policy, "allowed_storage_classes", [])

existing := k8s.inventory_cluster("StorageClass")

default_classes := sort([name |
	some name, class in existing
	object.get(class, ["metadata", "annotations", "storageclass.kubernetes.io/is-default-class"], "") == "true"
])

# [path of the claim spec, claim spec] for every claim of the object.
claims contains [path, claim] if {
	input.kind == "PersistentVolumeClaim"
	path := "spec"
	claim := k8s.as_object(object.get(input, "spec", {}))
}

claims contains [path, claim] if {
	input.kind == "StatefulSet"
	some i, template in k8s.as_array(object.get(input, ["spec", "volumeClaimTemplates"], []))
	path := sprintf("spec.volumeClaimTemplates[%d].spec", [i])
	claim := k8s.as_object(object.get(template, "spec", {}))
}

claims contains [path, claim] if {
	some i, volume in k8s.as_array(object.get(k8s.pod_spec, "volumes", []))
	template := volume.ephemeral.volumeClaimTemplate
	path := sprintf("%s.volumes[%d].ephemeral.volumeClaimTemplate.spec", [k8s.pod_spec_path, i])
	claim := k8s.as_object(object.get(template, "spec", {}))
}

deny contains msg if {
	some [path, claim] in claims
	name := claim.storageClassName
	is_string(name)
	name != ""
	count(allowed) > 0
	not name in allowed
	msg := sprintf("%s: %s.storageClassName is %q, which is not an allowed StorageClass (allowed: %v); use one of them", [k8s.resource, path, name, sort(allowed)])
}

deny contains msg if {
	some [path, claim] in claims
	name := claim.storageClassName
	is_string(name)
	name != ""
	count(existing) > 0
	not existing[name]
	msg := sprintf("%s: %s.storageClassName is %q, but the cluster has no such StorageClass (it has %v), so the claim stays Pending; name an existing class", [k8s.resource, path, name, sort(object.keys(existing))])
}

deny contains msg if {
	some [path, claim] in claims
	object.get(claim, "storageClassName", null) == null
	problem := unset_problem
	msg := sprintf("%s: %s.storageClassName is not set and %s; name a StorageClass explicitly", [k8s.resource, path, problem])
}

unset_problem := "require_explicit_class is set" if {
	k8s.param(policy, "require_explicit_class", false) == true
} else := "the cluster has no default StorageClass, so the claim stays Pending" if {
	count(existing) > 0
	count(default_classes) == 0
} else := sprintf("the cluster default %q is not an allowed StorageClass (allowed: %v)", [default_classes[0], sort(allowed)]) if {
	count(allowed) > 0
	count(default_classes) > 0
	not default_classes[0] in allowed
}
