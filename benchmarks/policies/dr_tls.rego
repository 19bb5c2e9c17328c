# METADATA
# title: DestinationRules use ISTIO_MUTUAL
# custom: {code: BENCH005, kinds: [DestinationRule]}
package bench.dr_tls

import rego.v1

deny contains "DestinationRule without ISTIO_MUTUAL" if {
	input.kind == "DestinationRule"
	not input.spec.trafficPolicy.tls.mode == "ISTIO_MUTUAL"
}
