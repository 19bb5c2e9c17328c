package org.broken

import rego.v1

deny contains x if {
	x :=
}
