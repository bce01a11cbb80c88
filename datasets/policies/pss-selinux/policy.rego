# A custom SELinux type (spc_t, unconfined_t, ...) or a custom SELinux user or role can lift the
# MCS confinement the runtime puts around each container. Deny seLinuxOptions.type outside the
# container types PSS Baseline allows, and any non-empty seLinuxOptions.user or .role, on the pod
# securityContext or on any container. The level (MCS categories) stays free.
# PSS Baseline "SELinux" (baseline.selinux).
package kpc.policies.pss_selinux

import data.kpc.lib.k8s

allowed_types := {"", "container_t", "container_init_t", "container_kvm_t", "container_engine_t"}

# Every seLinuxOptions block: where it is and, for messages, who sets it.
options contains {"who": sprintf("%s.securityContext.seLinuxOptions", [k8s.pod_spec_path]), "options": opts} if {
	opts := k8s.pod_spec.securityContext.seLinuxOptions
	is_object(opts)
}

options contains {"who": sprintf("container %q (%s) securityContext.seLinuxOptions", [entry.name, entry.list]), "options": opts} if {
	some entry in k8s.checked_containers("pss-selinux")
	opts := entry.container.securityContext.seLinuxOptions
	is_object(opts)
}

deny contains msg if {
	some o in options
	selinux_type := object.get(o.options, "type", "")
	not allowed_types[selinux_type]
	msg := sprintf("%s: %s sets type=%v; allowed types are container_t, container_init_t, container_kvm_t, container_engine_t (or unset)", [k8s.resource, o.who, selinux_type])
}

deny contains msg if {
	some o in options
	some field in ["user", "role"]
	value := object.get(o.options, field, "")
	not value in {"", null}
	msg := sprintf("%s: %s sets %s=%v; a custom SELinux %s is not allowed", [k8s.resource, o.who, field, value, field])
}
