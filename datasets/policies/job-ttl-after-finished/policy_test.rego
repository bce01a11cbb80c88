package kpc.policies.job_ttl_after_finished_test

import data.kpc.policies.job_ttl_after_finished as job_ttl

job(spec) := {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "data"}, "spec": spec}

cronjob(job_spec) := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "data"}, "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": job_spec}}}

template := {"spec": {"containers": [{"name": "app", "image": "x:1"}]}}

complete := {"ttlSecondsAfterFinished": 86400, "backoffLimit": 3, "template": template}

test_denies_missing_ttl if {
	count(job_ttl.deny) == 1 with input as job(json.remove(complete, ["ttlSecondsAfterFinished"]))
	count(job_ttl.deny) == 1 with input as cronjob(json.remove(complete, ["ttlSecondsAfterFinished"]))
	count(job_ttl.deny) == 1 with input as job(object.union(complete, {"ttlSecondsAfterFinished": null}))
	count(job_ttl.deny) == 1 with input as job(object.union(complete, {"ttlSecondsAfterFinished": "3600"}))
}

test_denies_missing_backoff_limit if {
	count(job_ttl.deny) == 1 with input as job(json.remove(complete, ["backoffLimit"]))
	count(job_ttl.deny) == 1 with input as cronjob(json.remove(complete, ["backoffLimit"]))
}

test_denies_both_separately if {
	count(job_ttl.deny) == 2 with input as job({"template": template})
	count(job_ttl.deny) == 2 with input as cronjob({"template": template})
	count(job_ttl.deny) == 2 with input as {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}}
	count(job_ttl.deny) == 2 with input as {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"}, "spec": {"jobTemplate": null}}
}

test_messages_name_resource_and_field if {
	some msg in job_ttl.deny with input as job(json.remove(complete, ["ttlSecondsAfterFinished"]))
	contains(msg, "Job data/j")
	contains(msg, "spec.ttlSecondsAfterFinished is not set")
	some msg2 in job_ttl.deny with input as cronjob(json.remove(complete, ["backoffLimit"]))
	contains(msg2, "CronJob data/c")
	contains(msg2, "spec.jobTemplate.spec.backoffLimit is not set")
}

test_allows_complete_jobs_and_zero_values if {
	count(job_ttl.deny) == 0 with input as job(complete)
	count(job_ttl.deny) == 0 with input as cronjob(complete)
	count(job_ttl.deny) == 0 with input as job({"ttlSecondsAfterFinished": 0, "backoffLimit": 0})
}

test_ttl_on_the_cronjob_itself_does_not_count if {
	cj := {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "data"}, "spec": {"ttlSecondsAfterFinished": 60, "backoffLimit": 1, "jobTemplate": {"spec": {"template": template}}}}
	count(job_ttl.deny) == 2 with input as cj
}

test_ignores_other_kinds if {
	every kind in ["Pod", "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Service"] {
		count(job_ttl.deny) == 0 with input as {"apiVersion": "v1", "kind": kind, "metadata": {"name": "x"}, "spec": {}}
	}
}
