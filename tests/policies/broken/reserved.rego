# METADATA
# custom:
#   code: MESH999
package broken.reserved

import rego.v1

deny contains "x" if input.kind == "Service"
