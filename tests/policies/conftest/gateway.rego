package istio.gateway

import rego.v1

deny contains msg if {
	input.kind == "Gateway"
	some server in input.spec.servers
	some host in server.hosts
	host == "*"
	msg := "Gateway accepts every host"
}
