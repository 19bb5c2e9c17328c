# METADATA
# title: No latest image tags
# custom: {code: BENCH006, kinds: [Deployment]}
package bench.latest_tag

import rego.v1

deny contains msg if {
	input.kind == "Deployment"
	some c in input.spec.template.spec.containers
	endswith(c.image, ":latest")
	msg := sprintf("image %s uses latest", [c.image])
}
