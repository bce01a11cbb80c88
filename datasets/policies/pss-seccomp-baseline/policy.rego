# Seccomp filters the system calls a container can make; an Unconfined profile switches the filter
# off and exposes the whole kernel syscall surface. Deny seccompProfile.type set to anything other
# than RuntimeDefault or Localhost (in practice: Unconfined) on the pod securityContext or on any
# container. Leaving the profile unset passes Baseline (the Restricted policy
# pss-seccomp-restricted requires it).
# PSS Baseline "Seccomp" (baseline.seccomp).
package kpc.policies.pss_seccomp_baseline

import data.kpc.lib.k8s

allowed_types := {"RuntimeDefault", "Localhost"}

deny contains msg if {
	profile_type := k8s.pod_spec.securityContext.seccompProfile.type
	not allowed_types[profile_type]
	msg := sprintf("%s: %s.securityContext.seccompProfile.type=%v; seccomp must not be disabled (use RuntimeDefault or Localhost)", [k8s.resource, k8s.pod_spec_path, profile_type])
}

deny contains msg if {
	some entry in k8s.checked_containers("pss-seccomp-baseline")
	profile_type := entry.container.securityContext.seccompProfile.type
	not allowed_types[profile_type]
	msg := sprintf("%s: container %q (%s) sets securityContext.seccompProfile.type=%v; seccomp must not be disabled (use RuntimeDefault or Localhost)", [k8s.resource, entry.name, entry.list, profile_type])
}
