# METADATA
# title: Nothing reaches payments without mTLS
# description: Every workload a route sends payments traffic to accepts only mTLS.
# custom:
#   code: ORG100
#   name: payments-mtls-only
#   severity: error
#   kinds: [VirtualService]
package org.payments_mtls

import rego.v1

facts := data.meshlint.facts

deny contains {"msg": msg, "pointer": rule.pointer} if {
	input.kind == "VirtualService"
	some place in facts.route_index[input.metadata.namespace][input.metadata.name]
	rule := facts.routes[place[0]].rules[place[1]]
	some destination in rule.destinations
	startswith(destination.host, "payments.")
	some ref in destination.workloads
	workload := facts.workloads[facts.workload_index[ref.kind][ref.namespace][ref.name]]
	workload.mtls.mode != "STRICT"
	msg := sprintf("%s reaches %s/%s, which accepts plaintext (mTLS %s)", [rule.pointer, ref.namespace, ref.name, workload.mtls.mode])
}
