# runAsUser: 0 runs the container process as root whatever the image says. Deny runAsUser=0 on the
# pod securityContext and on any container (all lists); unset or any non-zero UID is allowed
# (pss-run-as-non-root covers images that default to root).
# PSS Restricted "Running as Non-root user" (restricted.running-as-non-root-user); CIS 5.2.7.
package kpc.policies.pss_run_as_non_root_user

import data.kpc.lib.k8s

deny contains msg if {
	k8s.pod_spec.securityContext.runAsUser == 0
	msg := sprintf("%s: %s.securityContext.runAsUser=0; containers must not run as root (use a non-zero UID)", [k8s.resource, k8s.pod_spec_path])
}

deny contains msg if {
	some entry in k8s.containers
	entry.container.securityContext.runAsUser == 0
	msg := sprintf("%s: container %q (%s) sets securityContext.runAsUser=0; containers must not run as root (use a non-zero UID)", [k8s.resource, entry.name, entry.list])
}
