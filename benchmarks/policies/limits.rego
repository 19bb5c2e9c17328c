# METADATA
# title: Containers set resource limits
# custom: {code: BENCH001, kinds: [Deployment]}
package bench.limits

import rego.v1

deny contains msg if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	not c.resources.limits
	msg := sprintf("container %s has no resource limits", [c.name])
}
