# METADATA
# title: Service ports are named
# custom: {code: BENCH002, kinds: [Service]}
package bench.port_names

import rego.v1

deny contains {"msg": "unnamed port", "pointer": sprintf("/spec/ports/%d", [i])} if {
	input.kind == "Service"
	some i, p in input.spec.ports
	not p.name
}
