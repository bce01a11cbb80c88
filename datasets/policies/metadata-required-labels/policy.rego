# Labels are how people and tools find what an object belongs to: cost reports, alert routing,
# dashboards, `kubectl get -l`, Service and PDB selectors. A workload nobody can attribute is a
# workload nobody fixes.
# Denies a workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob), Service,
# Ingress or ConfigMap whose metadata.labels lack any label of parameter `labels` (default: the
# app.kubernetes.io name/instance/managed-by recommended labels and `team`); one message lists every
# missing label. Kinds with a pod template must also carry app.kubernetes.io/name on the template
# (that is what Services, PDBs and dashboards select pods by). A label with an empty or non-string
# value counts as missing.
package kpc.policies.metadata_required_labels

import data.kpc.lib.k8s

default_labels := ["app.kubernetes.io/name", "app.kubernetes.io/instance", "app.kubernetes.io/managed-by", "team"]

labelled_kinds := k8s.workload_kinds | {"Service", "Ingress", "ConfigMap"}

# Where each kind keeps its pod template's labels.
template_labels_path := ["spec", "template", "metadata", "labels"] if k8s.template_kinds[input.kind]

template_labels_path := ["spec", "jobTemplate", "spec", "template", "metadata", "labels"] if input.kind == "CronJob"

deny contains msg if {
	labelled_kinds[input.kind]
	required := k8s.param("metadata-required-labels", "labels", default_labels)
	missing := [label | some label in required; not has_label(k8s.labels, label)]
	count(missing) > 0
	msg := sprintf(
		"%s: metadata.labels lacks required labels %v; add them with non-empty values",
		[k8s.resource, missing],
	)
}

deny contains msg if {
	path := template_labels_path
	not has_label(object.get(input, path, {}), "app.kubernetes.io/name")
	msg := sprintf(
		"%s: the pod template lacks label \"app.kubernetes.io/name\" (%s); label the pods so Services, PodDisruptionBudgets and dashboards can select them",
		[k8s.resource, concat(".", path)],
	)
}

has_label(labels, key) if {
	value := labels[key]
	is_string(value)
	value != ""
}
