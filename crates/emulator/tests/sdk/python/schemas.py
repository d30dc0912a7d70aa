"""Profile schemas through the Python SDK: read the user and group schemas, add custom
properties, create a user and a group that use them, and get refused for an undefined
property and a wrong type (400 E0000001)."""

import uuid

from common import check, client, eq, fails, ok, plain, raw, run
from okta.models.add_group_request import AddGroupRequest
from okta.models.create_user_request import CreateUserRequest
from okta.models.group_schema import GroupSchema
from okta.models.user_schema import UserSchema

TAG = uuid.uuid4().hex[:8]


def new_user(login, extra):
    profile = {"firstName": "Schema", "lastName": "Tester", "email": login, "login": login}
    profile.update(extra)
    return CreateUserRequest.from_dict({"profile": profile})


async def main():
    c = client()

    # --- read -----------------------------------------------------------------------------
    schema, _ = await ok(c.get_user_schema("default"), "get user schema")
    got = plain(schema)
    base = got["definitions"]["base"]
    eq(base["required"], ["login", "firstName", "lastName", "email"], "base required")
    check("login" in base["properties"], f"login is a base property: {base['properties'].keys()}")
    eq(got["definitions"]["custom"].get("properties") or {}, {}, "a new org has no custom property")

    # --- add custom properties ------------------------------------------------------------
    update = UserSchema.from_dict(
        {
            "definitions": {
                "custom": {
                    "id": "#custom",
                    "type": "object",
                    "properties": {
                        "badgeNumber": {"title": "Badge number", "type": "integer"},
                        "githubUsername": {
                            "title": "GitHub username",
                            "type": "string",
                            "maxLength": 39,
                            "permissions": [{"principal": "SELF", "action": "READ_WRITE"}],
                        },
                    },
                }
            }
        }
    )
    schema, _ = await ok(c.update_user_profile("default", update), "add custom properties")
    props = plain(schema)["definitions"]["custom"]["properties"]
    eq(props["badgeNumber"]["type"], "integer", "badgeNumber type")
    eq(props["githubUsername"]["maxLength"], 39, "githubUsername maxLength")
    eq(props["githubUsername"]["mutability"], "READ_WRITE", "default mutability")

    # --- use them -------------------------------------------------------------------------
    login = f"schema-{TAG}@example.com"
    user, _ = await ok(
        c.create_user(new_user(login, {"badgeNumber": 7, "githubUsername": "octo"}), activate=False),
        "create user with custom properties",
    )
    back, _ = await ok(c.get_user(user.id), "get user")
    eq(back.id, user.id, "get user by id")
    # The SDK keeps custom attributes aside (additional_properties): read the wire body.
    status, _, body = raw("GET", f"/api/v1/users/{user.id}")
    eq(status, 200, "raw get user")
    profile = body["profile"]
    eq(profile.get("badgeNumber"), 7, "badgeNumber round-trips")
    eq(profile.get("githubUsername"), "octo", "githubUsername round-trips")

    # --- refused ----------------------------------------------------------------------------
    err = await fails(
        c.create_user(new_user(f"nope-{TAG}@example.com", {"favouriteColour": "red"}), activate=False),
        400,
        "E0000001",
        "undefined property",
    )
    check("favouriteColour" in str(err), f"the error names the property: {err}")
    await fails(
        c.create_user(new_user(f"nope2-{TAG}@example.com", {"badgeNumber": "seven"}), activate=False),
        400,
        "E0000001",
        "wrong type",
    )

    # --- groups -----------------------------------------------------------------------------
    gschema, _ = await ok(c.get_group_schema(), "get group schema")
    eq(plain(gschema)["definitions"]["base"]["required"], ["name"], "group base required")
    gupdate = GroupSchema.from_dict(
        {"definitions": {"custom": {"id": "#custom", "type": "object", "properties": {
            "costCode": {"title": "Cost code", "type": "string", "enum": ["A", "B"]}}}}}
    )
    await ok(c.update_group_schema(gupdate), "add a group property")
    # The SDK wraps enum values (anyOf): read the wire body.
    status, _, body = raw("GET", "/api/v1/meta/schemas/group/default")
    eq(status, 200, "raw get group schema")
    eq(body["definitions"]["custom"]["properties"]["costCode"]["enum"], ["A", "B"], "enum kept")
    await ok(c.add_group(AddGroupRequest.from_dict({"profile": {"name": f"G-{TAG}", "costCode": "A"}})), "group with costCode")
    await fails(
        c.add_group(AddGroupRequest.from_dict({"profile": {"name": f"H-{TAG}", "costCode": "Z"}})),
        400,
        "E0000001",
        "value outside the enum",
    )


run(main)
