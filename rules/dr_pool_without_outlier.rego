# METADATA
# title: Connection pools need outlier detection
# description: >-
#   A connection pool caps connections and pending requests per host, but without
#   outlierDetection a failing host is never ejected, so the limited pool keeps sending it a
#   share of requests and the caps turn its failures into overflow errors for healthy traffic.
#   Subsets inherit outlierDetection from the top level; port-level settings replace the whole
#   policy, so they need their own. Opt-in: the pairing is a resilience recommendation.
# custom:
#   code: MESH608
#   name: dr-pool-without-outlier
#   severity: warning
#   opt_in: true
#   kinds: [DestinationRule]
#   remediation: Add outlierDetection (for example consecutive5xxErrors and interval) beside connectionPool.
package meshlint.rules.dr_pool_without_outlier

import rego.v1

message(where) := sprintf("DestinationRule %s sets connectionPool without outlierDetection at %s", [input.metadata.name, where])

deny contains {"msg": message("trafficPolicy"), "pointer": "/spec/trafficPolicy/connectionPool"} if {
	input.kind == "DestinationRule"
	input.spec.trafficPolicy.connectionPool
	not input.spec.trafficPolicy.outlierDetection
}

deny contains {"msg": message(where), "pointer": sprintf("/spec/trafficPolicy/portLevelSettings/%d/connectionPool", [j])} if {
	input.kind == "DestinationRule"
	some j, settings in input.spec.trafficPolicy.portLevelSettings
	settings.connectionPool
	not settings.outlierDetection
	where := sprintf("portLevelSettings %d", [j])
}

deny contains {"msg": message(where), "pointer": sprintf("/spec/subsets/%d/trafficPolicy/connectionPool", [k])} if {
	input.kind == "DestinationRule"
	some k, subset in input.spec.subsets
	subset.trafficPolicy.connectionPool
	not subset.trafficPolicy.outlierDetection
	not input.spec.trafficPolicy.outlierDetection
	where := sprintf("subset %s", [subset.name])
}
