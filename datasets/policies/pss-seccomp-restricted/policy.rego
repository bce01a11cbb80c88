# Restricted requires an explicit seccomp profile: RuntimeDefault or Localhost, set on the pod
# securityContext (inherited by every container) or on every container. Deny a pod-level or
# container-level profile of any other type, and any container left without a valid profile of
# its own when the pod sets none. Windows pods (spec.os.name windows) are exempt.
# PSS Restricted "Seccomp" (restricted.seccomp); CIS 5.7.2.
package kpc.policies.pss_seccomp_restricted

import data.kpc.lib.k8s

allowed_types := {"RuntimeDefault", "Localhost"}

windows_pod if k8s.pod_spec.os.name == "windows"

pod_profile_valid if allowed_types[k8s.pod_spec.securityContext.seccompProfile.type]

has_profile(container) if container.securityContext.seccompProfile != null

deny contains msg if {
	not windows_pod
	profile := k8s.pod_spec.securityContext.seccompProfile
	profile != null
	not pod_profile_valid
	msg := sprintf("%s: %s.securityContext.seccompProfile.type=%v; only RuntimeDefault or Localhost are allowed", [k8s.resource, k8s.pod_spec_path, object.get(profile, "type", "<unset>")])
}

deny contains msg if {
	not windows_pod
	some entry in k8s.checked_containers("pss-seccomp-restricted")
	has_profile(entry.container)
	profile_type := object.get(entry.container.securityContext.seccompProfile, "type", "<unset>")
	not allowed_types[profile_type]
	msg := sprintf("%s: container %q (%s) sets securityContext.seccompProfile.type=%v; only RuntimeDefault or Localhost are allowed", [k8s.resource, entry.name, entry.list, profile_type])
}

deny contains msg if {
	not windows_pod
	not pod_profile_valid
	some entry in k8s.checked_containers("pss-seccomp-restricted")
	not has_profile(entry.container)
	msg := sprintf("%s: container %q (%s) has no seccomp profile: set securityContext.seccompProfile.type to RuntimeDefault or Localhost on the container or in %s.securityContext", [k8s.resource, entry.name, entry.list, k8s.pod_spec_path])
}
