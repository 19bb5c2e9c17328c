# METADATA
# title: Principals are in the trust domain
# custom: {code: BENCH008, kinds: [AuthorizationPolicy]}
package bench.trust_domain

import rego.v1

deny contains msg if {
	input.kind == "AuthorizationPolicy"
	some r in input.spec.rules
	some f in r.from
	some p in f.source.principals
	not startswith(p, sprintf("%s/", [data.meshlint.facts.trust_domain]))
	msg := sprintf("foreign principal %s", [p])
}
