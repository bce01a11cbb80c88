package kpc.policies.cronjob_concurrency_policy_test

import data.kpc.policies.cronjob_concurrency_policy as concurrency

cronjob(spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "data"}, "spec": spec}

base := {"schedule": "*/15 * * * *", "jobTemplate": {"spec": {"template": {"spec": {"containers": [{"name": "app", "image": "x:1"}]}}}}}

test_denies_missing_or_allow if {
	count(concurrency.deny) == 1 with input as cronjob(base)
	count(concurrency.deny) == 1 with input as cronjob(object.union(base, {"concurrencyPolicy": "Allow"}))
	count(concurrency.deny) == 1 with input as cronjob(object.union(base, {"concurrencyPolicy": null}))
	count(concurrency.deny) == 1 with input as {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "data"}}
}

test_denies_invalid_values if {
	count(concurrency.deny) == 1 with input as cronjob(object.union(base, {"concurrencyPolicy": "forbid"}))
	count(concurrency.deny) == 1 with input as cronjob(object.union(base, {"concurrencyPolicy": true}))
}

test_messages_name_resource_field_and_value if {
	some msg in concurrency.deny with input as cronjob(base)
	contains(msg, "CronJob data/c")
	contains(msg, `spec.concurrencyPolicy is not set (defaults to "Allow")`)
	some msg2 in concurrency.deny with input as cronjob(object.union(base, {"concurrencyPolicy": "Allow"}))
	contains(msg2, `spec.concurrencyPolicy is "Allow"`)
}

test_allows_forbid_and_replace if {
	count(concurrency.deny) == 0 with input as cronjob(object.union(base, {"concurrencyPolicy": "Forbid"}))
	count(concurrency.deny) == 0 with input as cronjob(object.union(base, {"concurrencyPolicy": "Replace"}))
}

test_ignores_other_kinds if {
	every kind in ["Job", "Pod", "Deployment"] {
		count(concurrency.deny) == 0 with input as {"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}, "spec": {}}
	}
}
