"""Groups and minimal OIDC apps through the Python SDK: create/get/replace/delete
groups, members (assign, list with paging, unassign), group apps, app creation and
listing, group and user assignment to an app, and the matching errors."""

import uuid

from common import call, check, client, collect, eq, fails, ok, plain, raw, run, status_of
from okta.models.add_group_request import AddGroupRequest
from okta.models.app_user_assign_request import AppUserAssignRequest
from okta.models.application import Application
from okta.models.create_user_request import CreateUserRequest

TAG = uuid.uuid4().hex[:8]


def oidc_app(label):
    return Application.from_dict(
        {
            "name": "oidc_client",
            "label": label,
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {
                "oauthClient": {
                    "client_uri": "https://example.com/client",
                    "redirect_uris": ["https://example.com/oauth2/callback"],
                    "response_types": ["code"],
                    "grant_types": ["authorization_code"],
                    "application_type": "web",
                }
            },
        }
    )


async def main():
    c = client()

    # --- group CRUD ----------------------------------------------------------------------
    req = AddGroupRequest.from_dict({"profile": {"name": f"Eng-{TAG}", "description": "Engineers"}})
    group, _ = await ok(c.add_group(req), "create group")
    check(group.id.startswith("00g"), f"group id shape: {group.id}")
    eq(getattr(group.type, "value", group.type), "OKTA_GROUP", "created group type")
    eq(plain(group.profile)["name"], f"Eng-{TAG}", "created group name")
    eq(group.object_class, ["okta:user_group"], "objectClass")

    got, _ = await ok(c.get_group(group.id), "get group")
    eq(plain(got.profile)["description"], "Engineers", "get group description")
    await fails(c.get_group("00gDOESNOTEXIST000000"), 404, "E0000007", "get unknown group")

    repl = AddGroupRequest.from_dict({"profile": {"name": f"Eng-{TAG}-renamed", "description": "Renamed"}})
    replaced, _ = await ok(c.replace_group(group.id, repl), "replace group")
    eq(plain(replaced.profile)["name"], f"Eng-{TAG}-renamed", "replaced name")
    got, _ = await ok(c.get_group(group.id), "get after replace")
    eq(plain(got.profile)["description"], "Renamed", "replace persisted")

    # --- membership ----------------------------------------------------------------------
    member_ids = []
    for i in range(5):
        login = f"member{i}.{TAG}@example.com"
        body = CreateUserRequest.from_dict(
            {"profile": {"firstName": f"M{i}", "lastName": "Member", "email": login, "login": login}}
        )
        u, _ = await ok(c.create_user(body, activate=False), f"create member {i}")
        member_ids.append(u.id)
    for uid in member_ids:
        await ok(c.assign_user_to_group(group.id, uid), "assign user to group")
    await ok(c.assign_user_to_group(group.id, member_ids[0]), "assign twice is idempotent")

    members = await collect(c.list_group_users, "list members (limit 2)", group_id=group.id, limit=2)
    eq(sorted(m.id for m in members), sorted(member_ids), "members paged by 2 each exactly once")

    await ok(c.unassign_user_from_group(group.id, member_ids[0]), "unassign")
    members = await collect(c.list_group_users, "list after unassign", group_id=group.id)
    eq(sorted(m.id for m in members), sorted(member_ids[1:]), "members after unassign")
    ug, _ = await ok(c.list_user_groups(member_ids[1]), "user's groups")
    check(group.id in {g.id for g in ug}, "member's group list contains the group")
    ug, _ = await ok(c.list_user_groups(member_ids[0]), "unassigned user's groups")
    check(group.id not in {g.id for g in ug}, "unassigned user's group list lacks the group")

    await fails(c.assign_user_to_group(group.id, "00uDOESNOTEXIST000000"), 404, "E0000007", "assign unknown user")
    await fails(c.assign_user_to_group("00gDOESNOTEXIST000000", member_ids[1]), 404, "E0000007", "assign to unknown group")

    everyone = await collect(c.list_groups, "find Everyone", q="Everyone")
    everyone = [g for g in everyone if plain(g.profile).get("name") == "Everyone"]
    eq(len(everyone), 1, "one Everyone group")
    eq(getattr(everyone[0].type, "value", everyone[0].type), "BUILT_IN", "Everyone is BUILT_IN")

    # --- apps ----------------------------------------------------------------------------
    app, _ = await ok(c.create_application(oidc_app(f"App-{TAG}")), "create OIDC app")
    check(app.id.startswith("0oa"), f"app id shape: {app.id}")
    eq(getattr(app.sign_on_mode, "value", app.sign_on_mode), "OPENID_CONNECT", "app signOnMode")
    eq(status_of(app), "ACTIVE", "new app is ACTIVE")
    eq(app.label, f"App-{TAG}", "app label")
    client_id = plain(app.credentials).get("oauthClient", {}).get("client_id")
    check(bool(client_id), f"OIDC app gets a client_id: {plain(app.credentials)}")

    got, _ = await ok(c.get_application(app.id), "get app")
    eq(got.id, app.id, "get app by id")
    await fails(c.get_application("0oaDOESNOTEXIST000000"), 404, "E0000007", "get unknown app")
    apps = await collect(c.list_applications, "list apps")
    check(app.id in {a.id for a in apps}, "created app is listed")

    ga, _ = await ok(c.assign_group_to_application(app.id, group.id), "assign group to app")
    eq(ga.id, group.id, "group assignment id is the group id")
    gapps = await collect(c.list_assigned_applications_for_group, "group apps", group_id=group.id)
    eq([a.id for a in gapps], [app.id], "group's apps list the app")

    au, _ = await ok(
        c.assign_user_to_application(app.id, AppUserAssignRequest.from_dict({"id": member_ids[1]})),
        "assign user to app",
    )
    eq(au.id, member_ids[1], "app user id")
    # PUT /api/v1/apps/{appId}/users/{userId} (in the emulator's scope, not in the SDK)
    status, _, body = raw("PUT", f"/api/v1/apps/{app.id}/users/{member_ids[2]}", body={})
    eq(status, 200, f"PUT app user: {body}")
    eq(body.get("id"), member_ids[2], "PUT app user returns the app user")
    status, _, body = raw("PUT", f"/api/v1/apps/{app.id}/users/00uDOESNOTEXIST000000", body={})
    eq((status, body.get("errorCode")), (404, "E0000007"), "PUT unknown app user")
    links, _ = await ok(c.list_app_links(member_ids[1]), "appLinks of assigned user")
    check(len(links) >= 1, f"assigned user has an app link: {links}")
    await fails(c.assign_group_to_application(app.id, "00gDOESNOTEXIST000000"), 404, "E0000007", "assign unknown group to app")

    # --- delete group --------------------------------------------------------------------
    await ok(c.delete_group(group.id), "delete group")
    await fails(c.get_group(group.id), 404, "E0000007", "get deleted group")
    await fails(c.delete_group(group.id), 404, "E0000007", "delete deleted group")
    ug, _ = await ok(c.list_user_groups(member_ids[2]), "groups after group delete")
    check(group.id not in {g.id for g in ug}, "deleted group vanished from members' lists")


run(main)
