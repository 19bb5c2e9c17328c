# METADATA
# title: Resources carry a team label
# custom: {code: BENCH003, kinds: [Deployment, Service, Namespace]}
package bench.team_label

import rego.v1

warn contains "no team label" if {
	input.kind in {"Deployment", "Service", "Namespace"}
	not input.metadata.labels.team
}
