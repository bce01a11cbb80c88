# Finished Jobs and their pods stay in the cluster until someone deletes them: they clutter the API,
# keep logs and volumes around and slow every list call. A Job without a backoffLimit retries a
# broken command 6 times by default, with nobody having decided that.
# Denies a Job (spec) or CronJob (spec.jobTemplate.spec) that does not set ttlSecondsAfterFinished
# (so the TTL controller deletes it once finished; 0 is allowed) or backoffLimit (an explicit retry
# budget; 0 is allowed). A missing, null or non-numeric value counts as not set.
package kpc.policies.job_ttl_after_finished

import data.kpc.lib.k8s

job_spec_path := ["spec"] if input.kind == "Job"

job_spec_path := ["spec", "jobTemplate", "spec"] if input.kind == "CronJob"

fields := {
	"ttlSecondsAfterFinished": "set it (e.g. 86400) so finished Jobs and their pods are garbage-collected",
	"backoffLimit": "set an explicit retry budget (e.g. 3) instead of relying on the default of 6",
}

deny contains msg if {
	path := job_spec_path
	some field, advice in fields
	not is_number(object.get(input, array.concat(path, [field]), null))
	msg := sprintf(
		"%s: %s.%s is not set; %s",
		[k8s.resource, concat(".", path), field, advice],
	)
}
