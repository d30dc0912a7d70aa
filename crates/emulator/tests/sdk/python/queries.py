"""User and group queries through the Python SDK: q, filter, search, sortBy/sortOrder,
limit, and the query errors. Expected sets are computed from the data the script creates
(each run uses a unique tag, so seeded users never match)."""

import uuid

from common import check, client, collect, eq, fails, ok, run, status_of
from okta.models.add_group_request import AddGroupRequest
from okta.models.create_user_request import CreateUserRequest

TAG = uuid.uuid4().hex[:8]
LAST = f"Qy{TAG}"

# (first name, department, activate)
PEOPLE = [
    ("Alice", "Engineering", True),
    ("Albert", "Engineering", True),
    ("Bob", "Sales", True),
    ("Carol", "Sales", False),
    ("Dave", "Support", True),
    ("Alina", "Support", False),
]


async def main():
    c = client()
    users = {}
    for first, dept, activate in PEOPLE:
        login = f"{first.lower()}.{TAG}@example.com"
        body = CreateUserRequest.from_dict(
            {
                "profile": {
                    "firstName": first,
                    "lastName": LAST,
                    "email": login,
                    "login": login,
                    "department": dept,
                },
                "credentials": {"password": {"value": "Sp1ndle-Passw0rd!"}},
            }
        )
        u, _ = await ok(c.create_user(body, activate=activate), f"create {first}")
        users[first] = u
    ids = {k: v.id for k, v in users.items()}
    active = {k for k, _, a in PEOPLE if a}

    # filter: eq on lastName + status, and/or, parentheses
    got = await collect(c.list_users, "list_users", filter=f'profile.lastName eq "{LAST}"', limit=2)
    eq({u.id for u in got}, set(ids.values()), "filter lastName eq (paged by 2)")
    eq(len(got), len(PEOPLE), "filter lastName eq visits each user once")

    got = await collect(c.list_users, "list_users", filter=f'profile.lastName eq "{LAST}" and status eq "STAGED"')
    eq({u.id for u in got}, {ids[k] for k in ids if k not in active}, "filter ... and status eq STAGED")

    got = await collect(c.list_users, "list_users", filter=f'(profile.firstName eq "Bob" or profile.firstName eq "Dave") and profile.lastName eq "{LAST}"')
    eq({u.id for u in got}, {ids["Bob"], ids["Dave"]}, "filter with or + parentheses")

    got = await collect(c.list_users, "list_users", filter=f'profile.lastName eq "{LAST.lower()}"')
    eq(got, [], "filter values are case-sensitive")

    # search: sw / co / eq on custom attribute, case-insensitive values, sorting
    got = await collect(c.list_users, "list_users", search=f'profile.lastName eq "{LAST.upper()}" and profile.firstName sw "al"')
    eq({u.id for u in got}, {ids["Alice"], ids["Albert"], ids["Alina"]}, "search sw, case-insensitive values")

    got = await collect(c.list_users, "list_users", search=f'profile.department eq "Sales" and profile.lastName eq "{LAST}"')
    eq({u.id for u in got}, {ids["Bob"], ids["Carol"]}, "search on a profile attribute")

    got = await collect(c.list_users, "list_users", search=f'profile.email co "{TAG}"')
    eq({u.id for u in got}, set(ids.values()), "search co on email")

    got = await collect(c.list_users, "list_users", search=f'profile.lastName eq "{LAST}"', sort_by="profile.firstName", sort_order="desc", limit=4)
    names = [u.profile.first_name for u in got]
    eq(names, sorted((p[0] for p in PEOPLE), key=str.lower, reverse=True), "search sortBy firstName desc")

    got = await collect(c.list_users, "list_users", search=f'profile.lastName eq "{LAST}" and status eq "ACTIVE"', sort_by="profile.firstName")
    eq([u.profile.first_name for u in got], sorted(active, key=str.lower), "search status eq ACTIVE, sorted asc")

    # q: prefix on first/last name or email, not including DEPROVISIONED users
    got, _ = await ok(c.list_users(q=LAST), "q by last name")
    eq({u.id for u in got}, set(ids.values()), "q prefix match on lastName")
    got, _ = await ok(c.list_users(q=LAST, limit=3), "q with limit")
    eq(len(got), 3, "q honours limit")
    await ok(c.deactivate_user(ids["Dave"]), "deactivate Dave")
    got, _ = await ok(c.list_users(q=LAST), "q after deactivation")
    eq({u.id for u in got}, set(ids.values()) - {ids["Dave"]}, "q omits DEPROVISIONED")
    got = await collect(c.list_users, "list_users", search=f'profile.lastName eq "{LAST}" and status eq "DEPROVISIONED"')
    eq([u.id for u in got], [ids["Dave"]], "search finds DEPROVISIONED")
    got = await collect(c.list_users, "list_users")
    check(ids["Dave"] not in {u.id for u in got}, "plain list omits DEPROVISIONED")

    # errors
    await fails(c.list_users(search='status eq "ACTIVE"', filter='status eq "ACTIVE"'), 400, "E0000033", "search + filter")
    await fails(c.list_users(filter="this is not ( a filter"), 400, "E0000031", "malformed filter")

    # groups: q prefix, search, filter
    gids = {}
    for name in ("Alpha", "Alpine", "Beta"):
        g, _ = await ok(
            c.add_group(AddGroupRequest.from_dict({"profile": {"name": f"{name}-{TAG}", "description": f"{name} team"}})),
            f"create group {name}",
        )
        gids[name] = g.id
    got, _ = await ok(c.list_groups(q=f"Alp"), "groups q")
    eq({g.id for g in got} & set(gids.values()), {gids["Alpha"], gids["Alpine"]}, "groups q prefix")
    got = await collect(c.list_groups, "list_groups", search=f'profile.name sw "Be" and profile.name co "{TAG}"')
    eq({g.id for g in got}, {gids["Beta"]}, "groups search")
    got = await collect(c.list_groups, "list_groups", filter=f'id eq "{gids["Alpine"]}"')
    eq([g.id for g in got], [gids["Alpine"]], "groups filter id eq")
    got = await collect(c.list_groups, "list_groups", filter='type eq "OKTA_GROUP"', limit=1)
    check(set(gids.values()) <= {g.id for g in got}, "groups filter type eq OKTA_GROUP, paged by 1")
    eq(len(got), len({g.id for g in got}), "group pages visit each group once")


run(main)
