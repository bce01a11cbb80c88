# Two Services of a namespace with the same selector send traffic to the same pods under two
# names: usually a copy-paste slip (a new Service meant for other pods) or a leftover after a
# rename, and a NetworkPolicy or Ingress written for one misses the other. Deny a Service whose
# spec.selector (non-empty) equals the selector of a different Service of its namespace in the
# synced inventory. The StatefulSet pattern of a headless governing Service (clusterIP: None)
# beside a regular one is not denied unless allow_headless_pair is false. ExternalName Services
# and Services without a selector are not checked.
package kpc.policies.svc_unique_selector

import data.kpc.lib.k8s

selector_of(svc) := selector if {
	not svc.spec.type == "ExternalName"
	selector := svc.spec.selector
	is_object(selector)
	count(selector) > 0
}

headless(svc) := object.get(svc, ["spec", "clusterIP"], "") == "None"

headless_pair(other) if {
	k8s.param("svc-unique-selector", "allow_headless_pair", true) == true
	headless(input) != headless(other)
}

deny contains msg if {
	input.kind == "Service"
	selector := selector_of(input)
	some name, other in k8s.inventory_namespaced(k8s.namespace, "Service")
	name != k8s.name
	selector_of(other) == selector
	not headless_pair(other)
	pairs := sort([sprintf("%s=%s", [key, value]) | some key, value in selector])
	msg := sprintf(
		"%s: spec.selector {%s} is the same as Service %s/%s's, so both send traffic to the same pods; give each Service its own selector or remove the duplicate",
		[k8s.resource, concat(", ", pairs), k8s.namespace, name],
	)
}
