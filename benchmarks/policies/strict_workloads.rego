# METADATA
# title: Routed workloads accept only mTLS
# description: A semantic rule on data.meshlint.facts, through its indexes (no scans).
# custom: {code: BENCH010, kinds: [VirtualService]}
package bench.strict_workloads

import rego.v1

facts := data.meshlint.facts

deny contains {"msg": msg, "pointer": rule.pointer} if {
	input.kind == "VirtualService"
	some place in facts.route_index[input.metadata.namespace][input.metadata.name]
	rule := facts.routes[place[0]].rules[place[1]]
	some destination in rule.destinations
	some ref in destination.workloads
	workload := facts.workloads[facts.workload_index[ref.kind][ref.namespace][ref.name]]
	workload.mtls.mode != "STRICT"
	msg := sprintf("route reaches %s/%s without STRICT mTLS", [ref.namespace, ref.name])
}
