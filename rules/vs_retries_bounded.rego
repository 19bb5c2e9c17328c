# METADATA
# title: Retries must be bounded
# description: >-
#   Each retry multiplies the load on a struggling upstream. More than 10 attempts per request
#   turns one failure into a retry storm, and retries with neither perTryTimeout nor a route
#   timeout can wait forever on every attempt, because Istio sets no route timeout by default.
#   On by default: both configurations make outages worse and are almost never intended.
# custom:
#   code: MESH604
#   name: vs-retries-bounded
#   severity: warning
#   kinds: [VirtualService]
#   remediation: Keep retries.attempts at 10 or fewer and set retries.perTryTimeout or the route timeout.
package meshlint.rules.vs_retries_bounded

import rego.v1

max_attempts := 10

deny contains {"msg": msg, "pointer": sprintf("/spec/http/%d/retries/attempts", [i])} if {
	input.kind == "VirtualService"
	some i, route in input.spec.http
	route.retries.attempts > max_attempts
	msg := sprintf("HTTP route %d retries %d times (more than %d)", [i, route.retries.attempts, max_attempts])
}

deny contains {"msg": msg, "pointer": sprintf("/spec/http/%d/retries", [i])} if {
	input.kind == "VirtualService"
	some i, route in input.spec.http
	route.retries.attempts > 0
	not route.retries.perTryTimeout
	not route.timeout
	msg := sprintf("HTTP route %d retries without perTryTimeout or timeout: attempts are unbounded in time", [i])
}
