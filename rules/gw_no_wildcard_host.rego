# METADATA
# title: Gateway servers must not accept every host
# description: >-
#   A Gateway server whose hosts include "*" (or "namespace/*") accepts requests for any Host
#   header, so every VirtualService bound to it (from the allowed namespaces) is exposed on that
#   port and a typo in a VirtualService host silently publishes a route. Opt-in: a catch-all host
#   is legitimate on an internal gateway or behind a load balancer that filters hosts.
# custom:
#   code: MESH602
#   name: gw-no-wildcard-host
#   severity: warning
#   opt_in: true
#   kinds: [Gateway]
#   remediation: List the exact hostnames (or a domain wildcard such as *.example.com) the server serves.
package meshlint.rules.gw_no_wildcard_host

import rego.v1

# Istio gateway hosts are written [namespace/]dnsName.
dns_name(host) := parts[count(parts) - 1] if parts := split(host, "/")

deny contains {"msg": msg, "pointer": sprintf("/spec/servers/%d/hosts/%d", [i, j])} if {
	input.kind == "Gateway"
	some i, server in input.spec.servers
	some j, host in server.hosts
	dns_name(host) == "*"
	msg := sprintf("Gateway %s server %d accepts any host (%s)", [input.metadata.name, i, host])
}
