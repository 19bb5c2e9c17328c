# METADATA
# title: Each namespace should have a default-deny AuthorizationPolicy
# description: >-
#   Without an ALLOW policy Istio allows every request to a workload; a namespace-wide
#   allow-nothing policy (spec: {}) makes access explicit, so a workload added later is closed
#   until someone allows its callers. A mesh-wide allow-nothing policy in the root namespace
#   covers every namespace. Opt-in: default-deny is a posture a team adopts, not a defect.
# custom:
#   code: MESH606
#   name: authz-default-deny
#   severity: warning
#   opt_in: true
#   kinds: [Namespace, AuthorizationPolicy]
#   remediation: Add an AuthorizationPolicy with spec {} (allow nothing) in the namespace, or one in the root namespace.
package meshlint.rules.authz_default_deny

import rego.v1

default root_namespace := "istio-system"

root_namespace := data.meshlint.facts.root_namespace

# An ALLOW policy with no rules, applied to every workload of its namespace.
allow_nothing(policy) if {
	spec := object.get(policy, "spec", {})
	object.get(spec, "action", "ALLOW") == "ALLOW"
	count(object.get(spec, "rules", [])) == 0
	not spec.selector
	not spec.targetRef
	not spec.targetRefs
}

default_deny_in(ns) if {
	some policy in data.meshlint.resources.AuthorizationPolicy
	policy.metadata.namespace == ns
	allow_nothing(policy)
}

deny contains msg if {
	input.kind == "Namespace"
	ns := input.metadata.name
	ns != root_namespace
	not default_deny_in(ns)
	not default_deny_in(root_namespace)
	msg := sprintf("namespace %s has no allow-nothing AuthorizationPolicy", [ns])
}
