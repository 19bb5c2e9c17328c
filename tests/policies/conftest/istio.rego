package main

import rego.v1

# conftest style: no METADATA, string results; the code is the package name
deny contains msg if {
	input.kind == "VirtualService"
	some route in input.spec.http
	not route.timeout
	msg := sprintf("VirtualService %s has an HTTP route without a timeout", [input.metadata.name])
}

warn contains msg if {
	input.kind == "Deployment"
	not input.metadata.labels.team
	msg := sprintf("Deployment %s has no team label", [input.metadata.name])
}
