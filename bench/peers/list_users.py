"""List every user with Okta's official Python SDK; print the count as JSON."""
import asyncio
import json
import os

from okta.client import Client as OktaClient


async def main():
    client = OktaClient({
        "orgUrl": os.environ["OKTA_CLIENT_ORGURL"],
        "token": os.environ["OKTA_CLIENT_TOKEN"],
        "rateLimit": {"maxRetries": 0},
        "testing": {"testingDisableHttpsCheck": True},
    })
    n = 0
    users, resp, err = await client.list_users(limit=200)
    while True:
        if err:
            raise SystemExit(f"error: {err}")
        n += len(users)
        if not resp.has_next():
            break
        users, err = await resp.next()
    print(json.dumps({"client": "okta-sdk-python", "users": n}))


asyncio.run(main())
