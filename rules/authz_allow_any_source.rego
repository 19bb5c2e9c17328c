# METADATA
# title: ALLOW rules should restrict the caller
# description: >-
#   An ALLOW rule without a from clause matches requests from any caller, including plaintext
#   clients outside the mesh, so an operation-only rule (paths, methods, ports) opens those
#   operations to everyone. Rules with no conditions at all (rules: [{}]) are MESH312's job and
#   are not repeated here. Opt-in: public endpoints legitimately allow any caller, so requiring a
#   source is a policy stance rather than a defect.
# custom:
#   code: MESH605
#   name: authz-allow-any-source
#   severity: warning
#   opt_in: true
#   kinds: [AuthorizationPolicy]
#   remediation: Add a from clause naming the principals or namespaces allowed to call, or a DENY for the rest.
package meshlint.rules.authz_allow_any_source

import rego.v1

allow_action(policy) if not policy.spec.action

allow_action(policy) if policy.spec.action == "ALLOW"

deny contains {"msg": msg, "pointer": sprintf("/spec/rules/%d", [i])} if {
	input.kind == "AuthorizationPolicy"
	allow_action(input)
	some i, rule in input.spec.rules
	count(rule) > 0
	not rule.from
	msg := sprintf("ALLOW rule %d of AuthorizationPolicy %s admits any caller", [i, input.metadata.name])
}
