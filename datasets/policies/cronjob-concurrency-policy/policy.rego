# With concurrencyPolicy Allow (the default) a CronJob starts a new run even when the previous one
# is still going: slow runs pile up, compete for the same data and can exhaust the namespace quota.
# Denies a CronJob whose spec.concurrencyPolicy is missing, null, "Allow" or anything other than
# "Forbid" (skip the new run) or "Replace" (stop the old run). Values are case-sensitive, as in the API.
package kpc.policies.cronjob_concurrency_policy

import data.kpc.lib.k8s

deny contains msg if {
	input.kind == "CronJob"
	value := object.get(input, ["spec", "concurrencyPolicy"], null)
	not value in {"Forbid", "Replace"}
	msg := sprintf(
		"%s: spec.concurrencyPolicy is %s; set it to \"Forbid\" (skip a run while the previous one is active) or \"Replace\"",
		[k8s.resource, describe(value)],
	)
}

describe(null) := "not set (defaults to \"Allow\")"

describe(value) := json.marshal(value) if value != null
