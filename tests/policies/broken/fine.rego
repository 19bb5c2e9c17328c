package fine

import rego.v1

warn contains "service seen" if input.kind == "Service"
