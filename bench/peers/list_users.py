"""List every user with Okta's official Python SDK (PyPI `okta`); print the count as JSON.

Follows the Link header's `after` cursor page by page, as the SDK's own pagination helper
does, keeping nothing but a counter.
"""
import asyncio
import json
import os

from okta.client import Client as OktaClient
from okta.pagination import PaginationHelper


async def main():
    client = OktaClient({
        "orgUrl": os.environ["OKTA_CLIENT_ORGURL"].rstrip("/"),
        "token": os.environ["OKTA_CLIENT_TOKEN"],
        "authorizationMode": "SSWS",
        "rateLimit": {"maxRetries": 2},
        "cache": {"enabled": False},
        "testing": {"testingDisableHttpsCheck": True},
    })
    n = 0
    after = None
    while True:
        kwargs = {"limit": 200}
        if after:
            kwargs["after"] = after
        users, resp, err = await client.list_users(**kwargs)
        if err:
            raise SystemExit(f"error: {err}")
        n += len(users or [])
        after = PaginationHelper.extract_next_cursor(resp.headers or {})
        if not after:
            break
    print(json.dumps({"client": "okta-sdk-python", "users": n}))


asyncio.run(main())
