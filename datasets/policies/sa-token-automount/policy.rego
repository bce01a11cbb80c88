# Kubernetes mounts a service-account token into every pod unless told otherwise; most applications
# never call the API, and a leaked or stolen token lets an attacker act with the pod's permissions.
# CIS 5.1.6: mount service-account tokens only where necessary.
# Denies a workload (any kind with a pod spec) that gets a token: its pod spec sets
# automountServiceAccountToken to true, or leaves it unset while its ServiceAccount does not set it
# to false. The pod's own setting wins (as in the API server); an unset pod setting falls back to
# the ServiceAccount's, read from the synced inventory (data.inventory.namespace.<ns>.ServiceAccount.
# <serviceAccountName, default "default">); a ServiceAccount that is not in the inventory counts as
# not setting it (the API default is true). Also denies a ServiceAccount named "default" that does
# not set automountServiceAccountToken: false, because every pod that names no service account
# inherits it. Pods that need the API should use a dedicated service account and a projected token
# volume.
package kpc.policies.sa_token_automount

import data.kpc.lib.k8s

deny contains msg if {
	spec := k8s.pod_spec
	not spec.automountServiceAccountToken == false
	not service_account_disables(spec)
	msg := sprintf(
		"%s: %s.automountServiceAccountToken is %s; set it to false and project a token only into pods that call the Kubernetes API",
		[k8s.resource, k8s.pod_spec_path, current(spec)],
	)
}

deny contains msg if {
	input.kind == "ServiceAccount"
	k8s.name == "default"
	not input.automountServiceAccountToken == false
	msg := sprintf(
		"%s: the default service account has automountServiceAccountToken %s; set automountServiceAccountToken: false so pods that name no service account get no token",
		[k8s.resource, current(input)],
	)
}

current(obj) := sprintf("%v", [obj.automountServiceAccountToken]) if {
	obj.automountServiceAccountToken != null
} else := "not set (defaults to true)"

# The pod leaves the setting unset and its ServiceAccount (in the inventory) sets it to false.
service_account_disables(spec) if {
	object.get(spec, "automountServiceAccountToken", null) == null
	name := object.get(spec, "serviceAccountName", object.get(spec, "serviceAccount", "default"))
	account := k8s.inventory_namespaced(k8s.namespace, "ServiceAccount")[name]
	account.automountServiceAccountToken == false
}
