"""SSWS authentication through the Python SDK and raw HTTP: a wrong token gets 401
E0000011, no Authorization header gets 403 E0000005, the SDK's `SSWS<token>` (no space)
form is accepted, error bodies have Okta's shape."""

from common import check, client, eq, fails, ok, raw, run


async def main():
    good = client()
    users, _ = await ok(good.list_users(limit=1), "valid token")
    check(isinstance(users, list), "valid token lists users")

    bad = client(token="00-not-the-right-token-000000000000000000")
    err = await fails(bad.list_users(limit=1), 401, "E0000011", "wrong token")
    eq(err.error_summary, "Invalid token provided", "401 errorSummary")
    eq(err.error_causes, [], "401 errorCauses")

    status, headers, body = raw("GET", "/api/v1/users?limit=1", token=None)
    eq(status, 403, "no Authorization header status")
    eq(body.get("errorCode"), "E0000005", "no Authorization header errorCode")
    for key in ("errorCode", "errorSummary", "errorLink", "errorId", "errorCauses"):
        check(key in body, f"error body has {key}: {body}")
    check(str(body.get("errorId", "")).startswith("oae"), f"errorId shape: {body}")
    check(headers.get("Content-Type", "").startswith("application/json"), f"error content type: {headers}")

    status, _, body = raw("GET", "/api/v1/users/00uDOESNOTEXIST000000")
    eq(status, 404, "unknown user status")
    eq(body.get("errorCode"), "E0000007", "unknown user errorCode")
    eq(body.get("errorSummary"), "Not found: Resource not found: 00uDOESNOTEXIST000000 (User)", "404 errorSummary")

    status, headers, _ = raw("GET", "/api/v1/users?limit=1")
    eq(status, 200, "raw list status")
    for h in ("X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"):
        check(headers.get(h, "").isdigit(), f"{h} header is an integer: {headers.get(h)!r}")


run(main)
