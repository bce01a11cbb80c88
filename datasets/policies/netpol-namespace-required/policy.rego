# Pods in a namespace without any NetworkPolicy accept traffic from every pod of the cluster and
# may connect anywhere: one compromised pod reaches them all. Deny workloads and Services whose
# namespace has no NetworkPolicy in the synced inventory (data.inventory), judged only when the
# inventory holds other objects of that namespace; the fix is a
# default-deny policy plus explicit allows. ExternalName Services are skipped (no pods behind them).
# CIS Kubernetes Benchmark 5.3.2 (ensure that all namespaces have NetworkPolicies defined).
package kpc.policies.netpol_namespace_required

import data.kpc.lib.k8s

checked_kind if k8s.workload_kinds[input.kind]

checked_kind if {
	input.kind == "Service"
	not input.spec.type == "ExternalName"
}

# The inventory knows the namespace: it holds some object of it other than the one judged (a
# cluster dump, a rendered chart). A lone manifest, or admission without a synced inventory, says
# nothing about the namespace's NetworkPolicies, so it is not judged.
namespace_known if {
	some kind, objects in k8s.as_object(object.get(k8s.inventory_namespaces, k8s.namespace, {}))
	some name, _ in k8s.as_object(objects)
	not same_object(kind, name)
}

same_object(kind, name) if {
	kind == input.kind
	name == k8s.name
}

deny contains msg if {
	checked_kind
	namespace_known
	count(k8s.inventory_namespaced(k8s.namespace, "NetworkPolicy")) == 0
	msg := sprintf(
		"%s: namespace %q (metadata.namespace) has no NetworkPolicy, so its pods accept traffic from anywhere; add a default-deny NetworkPolicy to the namespace",
		[k8s.resource, k8s.namespace],
	)
}
