# METADATA
# custom:
#   code: BRK002
package broken.divide

import rego.v1

deny contains msg if {
	input.kind == "Service"
	msg := sprintf("%v", [1 / 0])
}
