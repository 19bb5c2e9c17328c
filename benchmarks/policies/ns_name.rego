# METADATA
# title: Namespace names are DNS labels
# custom: {code: BENCH007, kinds: [Namespace]}
package bench.ns_name

import rego.v1

deny contains "bad namespace name" if {
	input.kind == "Namespace"
	not regex.match(`^[a-z0-9-]+$`, input.metadata.name)
}
