# METADATA
# title: Workloads carry a team label
# description: Every Service and VirtualService names its owning team.
# custom:
#   code: ORG001
#   severity: error
#   kinds: [Service, VirtualService]
#   remediation: Add metadata.labels.team.
package org.labels

import rego.v1

deny contains {"msg": msg, "pointer": "/metadata"} if {
	input.kind in {"Service", "VirtualService"}
	not input.metadata.labels.team
	msg := sprintf("%s %s has no team label", [input.kind, input.metadata.name])
}
