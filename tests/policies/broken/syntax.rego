package broken.syntax

import rego.v1

deny contains msg if {
	msg := 
}
