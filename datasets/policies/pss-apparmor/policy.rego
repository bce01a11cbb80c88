# AppArmor confines what a container may do on the node; running it Unconfined (or with any
# profile other than the runtime default or a profile loaded on the node) removes that layer.
# Deny, for the pod template's metadata annotation container.apparmor.security.beta.kubernetes.io/<container>,
# values other than runtime/default and localhost/<profile>, and, for securityContext.appArmorProfile.type
# on the pod or on any container, values other than RuntimeDefault and Localhost. Absence is allowed.
# PSS Baseline "AppArmor" (baseline.apparmor).
package kpc.policies.pss_apparmor

import data.kpc.lib.k8s

annotation_prefix := "container.apparmor.security.beta.kubernetes.io/"

allowed_types := {"RuntimeDefault", "Localhost"}

# Dotted path of the pod's metadata, for messages.
metadata_path := "metadata" if {
	k8s.pod_spec_path == "spec"
} else := concat("", [trim_suffix(k8s.pod_spec_path, ".spec"), ".metadata"])

allowed_annotation_value("runtime/default")

allowed_annotation_value(value) if {
	startswith(value, "localhost/")
	count(value) > count("localhost/")
}

deny contains msg if {
	some key, value in object.get(k8s.pod_metadata, "annotations", {})
	startswith(key, annotation_prefix)
	not allowed_annotation_value(value)
	container := substring(key, count(annotation_prefix), -1)
	not exempt_container(container)
	msg := sprintf("%s: container %q gets AppArmor profile %q from %s.annotations[%q]; only runtime/default or localhost/<profile> are allowed", [k8s.resource, container, value, metadata_path, key])
}

deny contains msg if {
	profile_type := k8s.pod_spec.securityContext.appArmorProfile.type
	not allowed_types[profile_type]
	msg := sprintf("%s: %s.securityContext.appArmorProfile.type=%v; only RuntimeDefault or Localhost are allowed", [k8s.resource, k8s.pod_spec_path, profile_type])
}

deny contains msg if {
	some entry in k8s.checked_containers("pss-apparmor")
	profile_type := entry.container.securityContext.appArmorProfile.type
	not allowed_types[profile_type]
	msg := sprintf("%s: container %q (%s) sets securityContext.appArmorProfile.type=%v; only RuntimeDefault or Localhost are allowed", [k8s.resource, entry.name, entry.list, profile_type])
}

# The container the annotation names runs an image exempted by exempt_images.
exempt_container(name) if {
	some entry in k8s.containers
	entry.name == name
	k8s.image_exempt("pss-apparmor", object.get(entry.container, "image", ""))
}
