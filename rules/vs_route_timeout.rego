# METADATA
# title: HTTP routes should set a timeout
# description: >-
#   Istio sets no timeout on HTTP routes by default, so a hung upstream holds the caller's
#   connection and threads until the client gives up, and retries have no overall bound.
#   Routes that only redirect, return a direct response or delegate are not reported. Opt-in:
#   long-lived requests (streaming, websockets, long polls) legitimately run without a timeout.
# custom:
#   code: MESH603
#   name: vs-route-timeout
#   severity: warning
#   opt_in: true
#   kinds: [VirtualService]
#   remediation: Add spec.http[].timeout (for example 10s) to each forwarding route.
package meshlint.rules.vs_route_timeout

import rego.v1

forwards(route) if count(object.get(route, "route", [])) > 0

deny contains {"msg": msg, "pointer": sprintf("/spec/http/%d", [i])} if {
	input.kind == "VirtualService"
	some i, route in input.spec.http
	forwards(route)
	not route.timeout
	msg := sprintf("HTTP route %d of VirtualService %s has no timeout", [i, input.metadata.name])
}
