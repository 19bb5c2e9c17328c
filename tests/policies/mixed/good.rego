# METADATA
# title: Services name their ports
# custom:
#   code: ORG010
#   kinds: [Service]
package org.ports

import rego.v1

deny contains {"msg": msg, "pointer": sprintf("/spec/ports/%d", [i])} if {
	input.kind == "Service"
	some i, port in input.spec.ports
	not port.name
	msg := sprintf("port %d has no name", [port.port])
}
