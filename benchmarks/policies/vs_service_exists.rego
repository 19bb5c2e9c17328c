# METADATA
# title: VirtualService hosts have a Service
# custom: {code: BENCH009, kinds: [VirtualService]}
package bench.vs_service_exists

import rego.v1

deny contains msg if {
	input.kind == "VirtualService"
	some h in input.spec.hosts
	name := split(h, ".")[0]
	not data.meshlint.index.Service[input.metadata.namespace][name]
	msg := sprintf("no Service for host %s", [h])
}
