"""schemathesis hooks for the emulator's conformance runs (loaded via SCHEMATHESIS_HOOKS).

1. Okta answers membership changes of the built-in `Everyone` group with 501 E0000060
   "Unsupported operation." (BEHAVIOR.md 3.2; GH okta/terraform-provider-okta#903), a status the
   official document doesn't list for assignUserToGroup/unassignUserFromGroup. The emulator does
   the same, so cases aimed at that group are dropped: they would only re-report the known gap.
   The harness passes the built-in group ids in SPINDLE_BUILT_IN_GROUP_IDS.

2. Seeded ids. Generated path parameters almost never name an existing resource, so every
   operation below `/users/{userId}/…` would only ever answer 404. The harness seeds the
   emulator (users with factors, grants, refresh tokens, linked objects and sessions, group
   rules, user types) and passes them in SPINDLE_SEEDS as a JSON list of sets, each set mapping
   path parameter names to ids that belong together (a user's own factor, token, grant...);
   a key `name@operationId` overrides `name` for that operation.
   Set 0 is kept for reading and updating: three cases in four of a non-DELETE operation get
   its ids. The other sets are spares for DELETE operations, which get the next spare set in
   one case of three, so deletions succeed without emptying the set the other operations read.
   The remaining cases keep their generated values (404s and validation errors stay tested).

3. The harness learns which operations answered what: every response's operationId and status
   go to the file named by SPINDLE_SCHEMATHESIS_STATUSES, one `operationId status` per line.
"""

import json
import os
from collections import defaultdict

import schemathesis

BUILT_IN = {g for g in os.environ.get("SPINDLE_BUILT_IN_GROUP_IDS", "").split(",") if g}
MEMBERSHIP_OPS = {"assignUserToGroup", "unassignUserFromGroup"}
SEEDS = json.loads(os.environ.get("SPINDLE_SEEDS") or "[]")
STATUSES = os.environ.get("SPINDLE_SCHEMATHESIS_STATUSES")
CALLS = defaultdict(int)
SPARE = defaultdict(int)


def operation_id(case):
    return case.operation.definition.raw.get("operationId") if case.operation else None


@schemathesis.hook
def filter_case(context, case):
    if operation_id(case) in MEMBERSHIP_OPS:
        return (case.path_parameters or {}).get("groupId") not in BUILT_IN
    return True


@schemathesis.hook
def before_call(context, case, **kwargs):
    params = case.path_parameters
    if not SEEDS or not params:
        return
    op = operation_id(case) or case.path
    CALLS[op] += 1
    n = CALLS[op]
    if case.method.upper() == "DELETE":
        if len(SEEDS) < 2 or n % 3 != 1:
            return
        SPARE[op] += 1
        seed = SEEDS[1 + (SPARE[op] - 1) % (len(SEEDS) - 1)]
    else:
        if n % 4 == 0:
            return
        seed = SEEDS[0]
    for name in list(params):
        # `name@operationId` overrides `name` for one operation (e.g. a factor still pending
        # activation for activateFactor, when the other factor operations use an active one)
        value = seed.get(f"{name}@{op}", seed.get(name))
        if value is not None:
            params[name] = value


@schemathesis.hook
def after_call(context, case, response):
    if STATUSES:
        with open(STATUSES, "a", encoding="utf-8") as f:
            f.write(f"{operation_id(case) or case.path} {response.status_code}\n")
