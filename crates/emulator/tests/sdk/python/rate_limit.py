"""A 429 is honoured and retried by the Python SDK. The harness starts the emulator with
a small per-window limit; this script makes more calls than the limit allows with
maxRetries > 0 and asserts that every call succeeded. It then makes the same burst with
retries disabled and asserts the SDK surfaced the 429 E0000047 (so the first part really
exercised a retry). The harness checks the request log for served 429s."""

import os

from common import call, check, client, eq, run


async def main():
    burst = int(os.environ.get("RATE_LIMIT_BURST", "8"))
    c = client(max_retries=5)
    for i in range(burst):
        users, resp, err = await call(c.list_users(limit=1))
        check(err is None, f"call {i} with retries enabled failed: {err}")
        eq(resp.get_status() if hasattr(resp, "get_status") else resp.status_code, 200, f"call {i} status")

    no_retry = client(max_retries=0)
    codes = []
    for i in range(burst):
        _, _, err = await call(no_retry.list_users(limit=1))
        if err is not None:
            codes.append((getattr(err, "status", None), getattr(err, "error_code", None)))
    check(len(codes) > 0, f"{burst} calls without retries never hit the limit")
    check(all(c == (429, "E0000047") for c in codes), f"rate limited calls fail with 429 E0000047: {codes}")
    print(f"rate limited without retries: {len(codes)} of {burst}")


run(main)
