# When a workload misbehaves at 3 a.m., on-call needs to know whom to call. The platform records the
# accountable person or team mailbox in the annotation kube-pac.io/owner on every workload.
# Denies a workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob) whose
# metadata.annotations lack kube-pac.io/owner, or whose value is not a single email address
# (local@domain.tld, no display name, no list, no surrounding spaces). The annotation is read from
# the object's own metadata, not from its pod template.
package kpc.policies.metadata_owner_annotation

import data.kpc.lib.k8s

key := "kube-pac.io/owner"

email_pattern := `^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$`

deny contains msg if {
	k8s.workload_kinds[input.kind]
	object.get(annotations, key, null) == null
	msg := sprintf(
		"%s: metadata.annotations lacks %q; set it to the email address of the owning team",
		[k8s.resource, key],
	)
}

deny contains msg if {
	k8s.workload_kinds[input.kind]
	value := annotations[key]
	value != null
	not is_email(value)
	msg := sprintf(
		"%s: metadata.annotations[%q] is %v, not an email address; set it to the email address of the owning team",
		[k8s.resource, key, json.marshal(value)],
	)
}

annotations := k8s.annotations if {
	is_object(k8s.annotations)
} else := {}

is_email(value) if {
	is_string(value)
	regex.match(email_pattern, value)
}
