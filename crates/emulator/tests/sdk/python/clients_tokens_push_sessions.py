"""Through the Python SDK: a user's clients, grants per client and
refresh tokens (list, get, revoke one, revoke all), factor enrollment resend (with Okta's
throttle), push verification polled through the factor transaction (the push answered through
the emulator's admin API), sign-in sessions (get, refresh, revoke) and revoking all of a
user's sessions with `oauthTokens=true`. State is checked through the Okta API and the
emulator's admin API after every change."""

import asyncio
import uuid

from common import check, client, eq, fails, ok, plain, raw, run, status_of
from okta.models.create_user_request import CreateUserRequest
from okta.models.resend_user_factor import ResendUserFactor
from okta.models.user_factor import UserFactor

TAG = uuid.uuid4().hex[:8]
PASSWORD = "Tr0ub4dor&3-long"


async def new_user(c, name):
    login = f"{name}.{TAG}@example.com"
    body = CreateUserRequest.from_dict(
        {
            "profile": {"firstName": name, "lastName": TAG, "email": login, "login": login},
            "credentials": {"password": {"value": PASSWORD}},
        }
    )
    user, _ = await ok(c.create_user(body, activate=True), f"create {name}")
    return user


def new_client(label):
    status, _, app = raw(
        "POST",
        "/api/v1/apps",
        {
            "name": "oidc_client",
            "label": f"{label} {TAG}",
            "signOnMode": "OPENID_CONNECT",
            "credentials": {"oauthClient": {"token_endpoint_auth_method": "client_secret_basic"}},
            "settings": {
                "oauthClient": {
                    "redirect_uris": ["https://example.com/cb"],
                    "response_types": ["code"],
                    "grant_types": ["authorization_code", "refresh_token"],
                    "application_type": "web",
                }
            },
        },
    )
    eq(status, 200, f"create client app {label}: {app}")
    return app["id"]


def consent(uid, client_id, scopes):
    """A user's consent and sign-in, as the admin API stands in for them: grants, then a
    refresh token (and an access token) for the client."""
    status, _, g = raw("POST", f"/__emulator/users/{uid}/grants", {"clientId": client_id, "scopes": scopes})
    check(status in (200, 201), f"admin grants: {status} {g}")
    status, _, t = raw(
        "POST", f"/__emulator/users/{uid}/tokens", {"clientId": client_id, "scopes": scopes + ["offline_access"]}
    )
    check(status in (200, 201), f"admin tokens: {status} {t}")
    return t


def admin_view(uid):
    status, _, view = raw("GET", f"/__emulator/users/{uid}", token=None)
    eq(status, 200, "admin user view")
    return view


async def clients_and_tokens(c):
    user = await new_user(c, "clients")
    one, two = new_client("One"), new_client("Two")
    t1 = consent(user.id, one, ["openid", "profile"])
    consent(user.id, two, ["openid"])

    clients, _ = await ok(c.list_user_clients(user.id), "listUserClients")
    eq(sorted(x.client_id for x in clients), sorted([one, two]), "the user's clients")
    named = {x.client_id: plain(x) for x in clients}
    check(named[one].get("client_name", "").startswith("One"), f"client name: {named[one]}")

    grants, _ = await ok(c.list_grants_for_user_and_client(user.id, one), "listGrantsForUserAndClient")
    eq(sorted(g.scope_id for g in grants), ["openid", "profile"], "client One's granted scopes")
    check(all(g.client_id == one and g.user_id == user.id for g in grants), "grants name the user and client")

    tokens, _ = await ok(
        c.list_refresh_tokens_for_user_and_client(user.id, one, expand="scope"), "listRefreshTokensForUserAndClient"
    )
    eq([t.id for t in tokens], [t1["refreshTokenId"]], "client One's refresh tokens")
    tok = plain(tokens[0])
    eq(tok.get("status"), "ACTIVE", "refresh token status")
    check(
        sorted(tok.get("scopes", [])) == ["offline_access", "openid", "profile"],
        f"refresh token scopes: {tok.get('scopes')}",
    )
    check("_embedded" in tok and tok["_embedded"].get("scopes"), f"expand=scope embeds the scopes: {tok}")
    got, _ = await ok(
        c.get_refresh_token_for_user_and_client(user.id, one, t1["refreshTokenId"]), "getRefreshTokenForUserAndClient"
    )
    eq(got.id, t1["refreshTokenId"], "refresh token by id")
    eq(plain(got).get("clientId"), one, "refresh token's client")

    # one more token for client One, then revoke just the first
    t1b = consent(user.id, one, ["openid"])
    await ok(
        c.revoke_token_for_user_and_client(user.id, one, t1["refreshTokenId"]), "revokeTokenForUserAndClient"
    )
    await fails(
        c.get_refresh_token_for_user_and_client(user.id, one, t1["refreshTokenId"]),
        404,
        "E0000007",
        "get a revoked refresh token",
    )
    tokens, _ = await ok(c.list_refresh_tokens_for_user_and_client(user.id, one), "tokens after revoking one")
    eq([t.id for t in tokens], [t1b["refreshTokenId"]], "the other token of client One remains")
    await ok(c.revoke_tokens_for_user_and_client(user.id, one), "revokeTokensForUserAndClient")
    tokens, _ = await ok(c.list_refresh_tokens_for_user_and_client(user.id, one), "tokens after revoking all")
    eq(len(tokens), 0, "no refresh token left for client One")
    # the client's access token went with its refresh token? No: revoking refresh tokens leaves
    # the user's grants in place (consent outlives tokens, BEHAVIOR.md §user grants)
    grants, _ = await ok(c.list_grants_for_user_and_client(user.id, one), "grants after token revocation")
    eq(len(grants), 2, "consent grants survive token revocation")

    await ok(c.revoke_grants_for_user_and_client(user.id, one), "revokeGrantsForUserAndClient")
    grants, _ = await ok(c.list_grants_for_user_and_client(user.id, one), "grants after revoking client One's")
    eq(len(grants), 0, "no grant left for client One")
    grants, _ = await ok(c.list_user_grants(user.id), "listUserGrants after per-client revocation")
    eq([g.client_id for g in grants], [two], "client Two's grant remains")
    await ok(c.revoke_user_grants(user.id), "revokeUserGrants")
    grants, _ = await ok(c.list_user_grants(user.id), "listUserGrants after revoking all")
    eq(len(grants), 0, "no grant left")
    await fails(
        c.list_refresh_tokens_for_user_and_client(user.id, "0oaDOESNOTEXIST00000"),
        404,
        "E0000007",
        "tokens of an unknown client",
    )


async def resend(c):
    user = await new_user(c, "resend")
    # raw HTTP for the enrollment: SDK 3.4.6's `LinksResend` model rejects the `_links.resend`
    # array Okta sends for a pending factor (see rules_factors_types_links_grants.py), so the SDK can't parse the answer.
    status, _, f = raw(
        "POST",
        f"/api/v1/users/{user.id}/factors",
        {"factorType": "email", "provider": "OKTA", "profile": {"email": f"resend.{TAG}@example.com"}},
    )
    eq((status, f.get("status")), (200, "PENDING_ACTIVATION"), f"enroll email: {f}")
    fid = f["id"]
    _, _, first = raw("GET", f"/__emulator/users/{user.id}/factors/{fid}/code", token=None)
    # raw HTTP for the throttled resend: the SDK would retry a 429 by itself
    status, _, body = raw("POST", f"/api/v1/users/{user.id}/factors/{fid}/resend", {"factorType": "email"})
    eq(status, 429, f"a resend within 5 s of the last email is throttled: {body}")
    await asyncio.sleep(5.5)
    sent, _ = await ok(
        c.resend_enroll_factor(user.id, fid, ResendUserFactor.from_dict({"factorType": "email"})), "resendEnrollFactor"
    )
    eq(plain(sent).get("factorType"), "email", f"resend answers the email factor: {plain(sent)}")
    status, _, log = raw("GET", "/__emulator/requests?limit=10000", token=None)
    resends = [
        r for r in log["requests"] if r["path"] == f"/api/v1/users/{user.id}/factors/{fid}/resend"
    ]
    eq([r["status"] for r in resends], [429, 200], "resend statuses in the request log")
    _, _, second = raw("GET", f"/__emulator/users/{user.id}/factors/{fid}/code", token=None)
    check(second.get("code"), f"a new code is outstanding after resend: {second}")
    status, _, act = raw(
        "POST", f"/api/v1/users/{user.id}/factors/{fid}/lifecycle/activate", {"passCode": second["code"]}
    )
    eq((status, act.get("status")), (200, "ACTIVE"), f"the resent code activates the factor: {act}")
    check(first.get("code") is not None, "a code was outstanding before the resend")


async def push_transactions(c):
    user = await new_user(c, "push")
    # raw HTTP for the enrollment: the pending push factor carries the same `_links.resend`
    # array the SDK's model rejects.
    status, _, f = raw("POST", f"/api/v1/users/{user.id}/factors", {"factorType": "push", "provider": "OKTA"})
    eq((status, f.get("status")), (200, "PENDING_ACTIVATION"), f"enroll push: {f}")
    fid = f["id"]
    status, _, w = raw("POST", f"/api/v1/users/{user.id}/factors/{fid}/lifecycle/activate")
    eq((status, w.get("factorResult")), (200, "WAITING"), f"push activation waits: {w}")
    status, _, _ = raw("POST", f"/__emulator/users/{user.id}/push", {"approve": True}, token=None)
    eq(status, 200, "admin API approves the activation push")
    status, _, a = raw("POST", f"/api/v1/users/{user.id}/factors/{fid}/lifecycle/activate")
    eq((status, a.get("status")), (200, "ACTIVE"), f"push active after approval: {a}")
    got, _ = await ok(c.get_factor(user.id, fid), "get the push factor through the SDK")
    eq(plain(got).get("status"), "ACTIVE", "SDK sees the push factor active")

    for approve, outcome in ((True, "SUCCESS"), (False, "REJECTED")):
        # raw HTTP: Okta's WAITING answer carries `profile.credentialId` as a string (the
        # document's own example UserFactorVerifyPushTransactionWaiting), which SDK 3.4.6's
        # UserFactorVerifyResponseWaiting model (profile values typed as objects) rejects.
        status, _, v = raw(
            "POST", f"/api/v1/users/{user.id}/factors/{fid}/verify", None, headers={"User-Agent": "spindle-conformance"}
        )
        eq(status, 201, "push verification answers 201")
        eq(v.get("factorResult"), "WAITING", f"push verification waits: {v}")
        poll = v.get("_links", {}).get("poll", {}).get("href", "")
        tx = poll.rstrip("/").split("/")[-1]
        check(f"/factors/{fid}/transactions/" in poll and tx, f"poll link names the transaction: {poll}")
        pending, _ = await ok(c.get_factor_transaction_status(user.id, fid, tx), "getFactorTransactionStatus")
        eq(plain(pending).get("factorResult"), "WAITING", "transaction waits before the answer")
        status, _, ans = raw(
            "POST", f"/__emulator/users/{user.id}/push", {"approve": approve, "transactionId": tx}, token=None
        )
        eq((status, ans.get("transactionId")), (200, tx), f"admin API answers transaction {tx}")
        if outcome == "SUCCESS":
            done, _ = await ok(c.get_factor_transaction_status(user.id, fid, tx), "getFactorTransactionStatus after answer")
            eq(plain(done).get("factorResult"), outcome, "transaction outcome")
        else:
            # raw HTTP: a REJECTED transaction's `_links.factor` is a link (href + hints), but SDK
            # 3.4.6's UserFactorPushTransactionRejectedAllOfLinks types it as a whole UserFactor
            # and fails looking up its `factorType` discriminator.
            status, _, done = raw("GET", f"/api/v1/users/{user.id}/factors/{fid}/transactions/{tx}")
            eq((status, done.get("factorResult")), (200, outcome), f"transaction outcome: {done}")
            check("factor" in done.get("_links", {}), f"a rejected transaction links its factor: {done}")
    await fails(
        c.get_factor_transaction_status(user.id, fid, "v2mstDOESNOTEXIST000"),
        404,
        "E0000007",
        "unknown transaction",
    )


def sign_in(login):
    """Primary authentication, then a session from its token: raw HTTP, because SDK 3.4.6 has
    neither the Authentication API nor `createSession` (gone from the document it is generated
    from)."""
    status, _, authn = raw("POST", "/api/v1/authn", {"username": login, "password": PASSWORD}, token=None)
    eq((status, authn.get("status")), (200, "SUCCESS"), f"authn: {authn}")
    status, _, session = raw("POST", "/api/v1/sessions", {"sessionToken": authn["sessionToken"]})
    eq(status, 200, f"create session: {session}")
    return session


async def sessions(c):
    user = await new_user(c, "session")
    login = user.profile.login
    session = sign_in(login)
    got, _ = await ok(c.get_session(session["id"]), "getSession")
    eq((got.id, got.user_id, got.login), (session["id"], user.id, login), "session as fetched")
    eq(status_of(got), "ACTIVE", "session status")
    refreshed, _ = await ok(c.refresh_session(session["id"]), "refreshSession")
    check(refreshed.expires_at >= got.expires_at, "refresh does not shorten the session")
    eq(admin_view(user.id).get("sessions"), 1, "one live session")
    await ok(c.revoke_session(session["id"]), "revokeSession")
    await fails(c.get_session(session["id"]), 404, "E0000007", "get a revoked session")
    eq(admin_view(user.id).get("sessions"), 0, "no live session after revokeSession")

    # revokeUserSessions with oauthTokens: sessions, refresh tokens and access tokens all end
    s1, s2 = sign_in(login), sign_in(login)
    app = new_client("Sessions")
    t = consent(user.id, app, ["openid"])
    await ok(c.revoke_user_sessions(user.id, oauth_tokens=False), "revokeUserSessions without oauthTokens")
    for s in (s1, s2):
        await fails(c.get_session(s["id"]), 404, "E0000007", "session after revokeUserSessions")
    tokens, _ = await ok(c.list_refresh_tokens_for_user_and_client(user.id, app), "tokens kept without oauthTokens")
    eq(len(tokens), 1, "refresh token survives revokeUserSessions(oauthTokens=false)")
    s3 = sign_in(login)
    await ok(c.revoke_user_sessions(user.id, oauth_tokens=True), "revokeUserSessions(oauthTokens=true)")
    await fails(c.get_session(s3["id"]), 404, "E0000007", "session after revokeUserSessions(oauthTokens)")
    tokens, _ = await ok(c.list_refresh_tokens_for_user_and_client(user.id, app), "tokens after oauthTokens=true")
    eq(len(tokens), 0, "refresh tokens revoked with oauthTokens=true")
    status, _, body = raw(
        "GET", f"/api/v1/users/{user.id}", token=None, headers={"Authorization": f"Bearer {t['access_token']}"}
    )
    eq(status, 401, f"the user's access token is revoked: {body}")
    view = admin_view(user.id)
    eq((view.get("sessionsRevoked"), view.get("oauthTokensRevoked"), view.get("sessions")), (2, 1, 0), "admin view")
    status, _, body = raw("POST", "/api/v1/authn", {"username": login, "password": "Wr0ng-password"}, token=None)
    eq((status, body.get("errorCode")), (401, "E0000004"), "authn with a wrong password")


async def main():
    c = client()
    await clients_and_tokens(c)
    await resend(c)
    await push_transactions(c)
    await sessions(c)


if __name__ == "__main__":
    run(main)
