# A pod naming a ServiceAccount that does not exist is rejected by the API server (for a bare Pod)
# or never created (the controller of a Deployment, Job, … keeps failing with "serviceaccount not
# found"): a typo or a missing chart dependency that shows up only at rollout. Deny a workload
# whose pod spec names a ServiceAccount (serviceAccountName, else the deprecated serviceAccount)
# that the synced inventory does not hold in its namespace. Judged only when the inventory holds
# ServiceAccounts of that namespace (the kind is synced there); "default" always exists (the
# API server creates it in every namespace).
package kpc.policies.sa_service_account_exists

import data.kpc.lib.k8s

deny contains msg if {
	spec := k8s.pod_spec
	name := k8s.service_account_of(spec)
	name != "default"
	k8s.inventory_synced(k8s.namespace, "ServiceAccount")
	not k8s.inventory_namespaced(k8s.namespace, "ServiceAccount")[name]
	msg := sprintf(
		"%s: %s.serviceAccountName names ServiceAccount %q, which does not exist in namespace %q, so no pod can be created; create the ServiceAccount or fix the name",
		[k8s.resource, k8s.pod_spec_path, name, k8s.namespace],
	)
}
