package org.crash

import rego.v1

deny contains msg if {
	input.kind == "Service"
	msg := sprintf("%d", [1 / 0])
}
