# A Deployment with strategy Recreate stops every old pod before starting a new one: each rollout
# is an outage. StatefulSets and DaemonSets with updateStrategy OnDelete never roll out at all
# until someone deletes the pods by hand, so a fixed image can sit unused for weeks. Deny
# Deployment spec.strategy.type Recreate and StatefulSet / DaemonSet spec.updateStrategy.type
# OnDelete (compared case-insensitively), except for workloads listed in exempt_workloads (globs
# of "<namespace>/<name>", e.g. a single-writer app on a ReadWriteOnce volume that needs Recreate).
package kpc.policies.availability_rolling_update

import data.kpc.lib.k8s

# kind → [field, the strategy that is denied]
strategies := {
	"Deployment": ["strategy", "recreate"],
	"StatefulSet": ["updateStrategy", "ondelete"],
	"DaemonSet": ["updateStrategy", "ondelete"],
}

exempt if {
	some pattern in k8s.param("availability-rolling-update", "exempt_workloads", [])
	glob.match(pattern, null, concat("/", [k8s.namespace, k8s.name]))
}

deny contains msg if {
	[field, denied] := strategies[input.kind]
	value := input.spec[field].type
	is_string(value)
	lower(value) == denied
	not exempt
	msg := sprintf(
		"%s: spec.%s.type is %s, so %s; use RollingUpdate (or list the workload in exempt_workloads if it cannot run two versions at once)",
		[k8s.resource, field, value, consequence[input.kind]],
	)
}

consequence := {
	"Deployment": "every rollout stops all old pods before new ones start (an outage)",
	"StatefulSet": "updates reach the pods only when someone deletes them by hand",
	"DaemonSet": "updates reach the pods only when someone deletes them by hand",
}
