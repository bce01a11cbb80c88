# Without a PodDisruptionBudget a node drain (cluster upgrade, autoscaler scale-down) may evict every
# replica of a workload at once: having several replicas does not help if they all go together.
# Denies a Deployment or StatefulSet with spec.replicas >= 2 when no PodDisruptionBudget of its
# namespace in the synced inventory (k8s.inventory_namespaced) selects its pod template labels.
# A PDB selects the pods when every spec.selector.matchLabels pair is among the template labels and
# every matchExpressions entry (In, NotIn, Exists, DoesNotExist) holds; an empty selector ({})
# selects every pod of the namespace (policy/v1 semantics), a missing or null selector selects none.
# Single-replica workloads need no PDB (a PDB cannot keep one pod up; replicas-minimum flags them).
package kpc.policies.availability_pdb_required

import data.kpc.lib.k8s

deny contains msg if {
	input.kind in {"Deployment", "StatefulSet"}
	replicas := input.spec.replicas
	is_number(replicas)
	replicas >= 2
	labels := as_object(object.get(input, ["spec", "template", "metadata", "labels"], {}))
	not covered(labels)
	msg := sprintf(
		"%s: runs %v replicas but no PodDisruptionBudget in namespace %q selects its pod template labels (spec.template.metadata.labels %v); add a policy/v1 PodDisruptionBudget whose selector matches them",
		[k8s.resource, replicas, k8s.namespace, json.marshal(labels)],
	)
}

covered(labels) if {
	some pdb in k8s.inventory_namespaced(k8s.namespace, "PodDisruptionBudget")
	selects(object.get(pdb, ["spec", "selector"], null), labels)
}

selects(selector, labels) if {
	is_object(selector)
	every key, value in as_object(object.get(selector, "matchLabels", {})) {
		labels[key] == value
	}
	every expression in as_array(object.get(selector, "matchExpressions", [])) {
		holds(expression, labels)
	}
}

holds(expression, labels) if {
	expression.operator == "In"
	label_in(expression, labels)
}

holds(expression, labels) if {
	expression.operator == "NotIn"
	not label_in(expression, labels)
}

label_in(expression, labels) if {
	labels[expression.key] in as_array(object.get(expression, "values", []))
}

holds(expression, labels) if {
	expression.operator == "Exists"
	_ = labels[expression.key]
}

holds(expression, labels) if {
	expression.operator == "DoesNotExist"
	not labels[expression.key]
}

as_object(x) := x if {
	is_object(x)
} else := {}

as_array(x) := x if {
	is_array(x)
} else := []
