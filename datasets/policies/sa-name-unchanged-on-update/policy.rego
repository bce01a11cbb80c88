# Changing a workload's serviceAccountName hands its pods another identity, with every permission
# bound to that account: a one-line diff in a routine update that reviewers rarely notice (and
# how a compromised CI job would escalate). Deny an UPDATE that changes the ServiceAccount of the
# pod spec (serviceAccountName, else the deprecated serviceAccount, else "default") of any
# workload kind; create the workload anew or change the account in a reviewed change of its own.
# Admission only: the old object comes from the admission request, as data.kpc.admission
# ({operation, old_object}), which the admission route provides. In static analysis (pac analyze,
# CI) there is no old object, so this policy never fires there.
package kpc.policies.sa_name_unchanged_on_update

import data.kpc.lib.k8s

deny contains msg if {
	data.kpc.admission.operation == "UPDATE"
	old := data.kpc.admission.old_object
	old.kind == input.kind
	new_spec := k8s.pod_spec
	old_account := k8s.service_account_of(k8s.object_pod_spec(old))
	new_account := k8s.service_account_of(new_spec)
	old_account != new_account
	msg := sprintf(
		"%s: this update changes %s.serviceAccountName from %q to %q, giving the pods another identity and its permissions; keep %q, or change the account in a separate, reviewed change",
		[k8s.resource, k8s.pod_spec_path, old_account, new_account, old_account],
	)
}
