# METADATA
# title: Mesh-wide STRICT mTLS
# description: >-
#   Every namespace should be covered by a STRICT PeerAuthentication, either the mesh-wide one
#   (no selector, in the root namespace) or a namespace-wide one. A mesh-wide or namespace-wide
#   PeerAuthentication in PERMISSIVE or DISABLE mode accepts plaintext, so any caller without a
#   sidecar can reach the workloads without an identity and authorization policies on principals
#   or namespaces are bypassed. Opt-in: PERMISSIVE is the documented migration mode and a valid
#   choice while workloads without sidecars remain, so this is an opinion, not a defect.
# custom:
#   code: MESH601
#   name: mtls-strict-mesh-wide
#   severity: warning
#   opt_in: true
#   kinds: [PeerAuthentication, Namespace]
#   remediation: >-
#     Add a PeerAuthentication named default with spec.mtls.mode STRICT and no selector in the
#     root namespace (istio-system), and remove namespace-wide PERMISSIVE or DISABLE overrides.
package meshlint.rules.mtls_strict_mesh_wide

import rego.v1

default root_namespace := "istio-system"

root_namespace := data.meshlint.facts.root_namespace

weak_modes := {"PERMISSIVE", "DISABLE"}

namespace_wide(pa) if not pa.spec.selector

mode(pa) := pa.spec.mtls.mode

mode(pa) := "UNSET" if not pa.spec.mtls.mode

strict_in(ns) if {
	some pa in data.meshlint.resources.PeerAuthentication
	pa.metadata.namespace == ns
	namespace_wide(pa)
	mode(pa) == "STRICT"
}

# A namespace-wide or mesh-wide PeerAuthentication that accepts plaintext.
deny contains {"msg": msg, "pointer": "/spec/mtls/mode"} if {
	input.kind == "PeerAuthentication"
	namespace_wide(input)
	mode(input) in weak_modes
	msg := sprintf("PeerAuthentication %s/%s sets mode %s for the whole namespace", [input.metadata.namespace, input.metadata.name, mode(input)])
}

# The mesh-wide policy leaves the mode unset: Istio then defaults to PERMISSIVE.
deny contains {"msg": msg, "pointer": "/spec"} if {
	input.kind == "PeerAuthentication"
	input.metadata.namespace == root_namespace
	namespace_wide(input)
	mode(input) == "UNSET"
	msg := sprintf("mesh-wide PeerAuthentication %s leaves mTLS mode unset (PERMISSIVE)", [input.metadata.name])
}

# A namespace of the input that no STRICT PeerAuthentication covers.
deny contains msg if {
	input.kind == "Namespace"
	ns := input.metadata.name
	ns != root_namespace
	not strict_in(root_namespace)
	not strict_in(ns)
	msg := sprintf("namespace %s is not covered by a STRICT PeerAuthentication", [ns])
}
