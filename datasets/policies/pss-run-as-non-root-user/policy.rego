# runAsUser: 0 runs the container process as root whatever the image says. Deny runAsUser=0 on the
# pod securityContext and on any container (all lists); unset or any non-zero UID is allowed
# (pss-run-as-non-root covers images that default to root). The parameter run_as_user, a range
# {"min": …, "max": …} (default null: any non-zero UID), also denies a runAsUser set outside it.
# PSS Restricted "Running as Non-root user" (restricted.running-as-non-root-user); CIS 5.2.7.
package kpc.policies.pss_run_as_non_root_user

import data.kpc.lib.k8s

deny contains msg if {
	k8s.pod_spec.securityContext.runAsUser == 0
	msg := sprintf("%s: %s.securityContext.runAsUser=0; containers must not run as root (use a non-zero UID)", [k8s.resource, k8s.pod_spec_path])
}

deny contains msg if {
	some entry in k8s.checked_containers("pss-run-as-non-root-user")
	entry.container.securityContext.runAsUser == 0
	msg := sprintf("%s: container %q (%s) sets securityContext.runAsUser=0; containers must not run as root (use a non-zero UID)", [k8s.resource, entry.name, entry.list])
}

deny contains msg if {
	range := k8s.param("pss-run-as-non-root-user", "run_as_user", null)
	uid := k8s.pod_spec.securityContext.runAsUser
	k8s.outside_range(uid, range)
	msg := sprintf("%s: %s.securityContext.runAsUser=%v is outside the allowed UID range %s", [k8s.resource, k8s.pod_spec_path, uid, k8s.describe_range(range)])
}

deny contains msg if {
	range := k8s.param("pss-run-as-non-root-user", "run_as_user", null)
	some entry in k8s.checked_containers("pss-run-as-non-root-user")
	uid := entry.container.securityContext.runAsUser
	k8s.outside_range(uid, range)
	msg := sprintf("%s: container %q (%s) sets securityContext.runAsUser=%v, outside the allowed UID range %s", [k8s.resource, entry.name, entry.list, uid, k8s.describe_range(range)])
}
