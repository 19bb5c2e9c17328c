# METADATA
# title: VirtualService hosts are fully qualified
# custom: {code: BENCH004, kinds: [VirtualService]}
package bench.vs_fqdn

import rego.v1

warn contains msg if {
	input.kind == "VirtualService"
	some h in input.spec.hosts
	not contains(h, ".")
	msg := sprintf("short host %s", [h])
}
