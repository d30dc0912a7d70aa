"""Drives Spindle's MCP server with the official Python SDK (PyPI `mcp`).

Usage: python client.py stdio SPINDLE_BIN ORG_URL TOKEN
       python client.py http URL KEY
Checks initialize, the tool list, a read, a write, a destructive call confirmed and refused by
elicitation, invalid input, Okta's 404 and paging through `next`. Prints one line per check;
exits 1 on the first failure.
"""

import os
import sys
import time
from contextlib import AsyncExitStack

import anyio
import json
import mcp_types as types
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client


def check(condition, what, detail=None):
    if not condition:
        print(f"FAILED: {what}: {detail!r}", file=sys.stderr)
        sys.stdout.flush()
        os._exit(1)
    print(f"ok {what}", flush=True)


async def main(mode, a, b, c=None):
    state = {"answer": "decline", "asked": 0}

    async def elicit(context, params):
        state["asked"] += 1
        if "destructive" not in params.message:
            return types.ErrorData(code=-32602, message=f"unexpected prompt: {params.message}")
        if state["answer"] == "accept":
            return types.ElicitResult(action="accept", content={"confirm": True})
        return types.ElicitResult(action=state["answer"])

    async with AsyncExitStack() as stack:
        if mode == "stdio":
            params = StdioServerParameters(
                command=a, args=["mcp", "--org-url", b, "--token", c, "--allow-writes"]
            )
            read, write = await stack.enter_async_context(stdio_client(params))
        else:
            import httpx2

            http = await stack.enter_async_context(
                httpx2.AsyncClient(headers={"Authorization": f"Bearer {b}"}, timeout=60)
            )
            read, write = await stack.enter_async_context(
                streamable_http_client(a, http_client=http)
            )
        session = await stack.enter_async_context(
            ClientSession(
                read,
                write,
                elicitation_callback=elicit,
                client_info=types.Implementation(name="spindle-python-check", version="1.0.0"),
            )
        )
        init = await session.initialize()
        check(init.server_info.name == "spindle", f"initialize ({init.protocol_version})", init)

        tools = []
        cursor = None
        while True:
            page = await session.list_tools(cursor=cursor) if cursor else await session.list_tools()
            tools.extend(page.tools)
            cursor = page.next_cursor
            if not cursor:
                break
        names = {t.name for t in tools}
        check(
            {"get_list_all_users", "post_create_a_group", "delete_a_group"} <= names
            and all(
                t.input_schema.get("type") == "object" and t.output_schema.get("type") == "object"
                for t in tools
            ),
            f"tools/list ({len(tools)} tools, object schemas)",
            sorted(names),
        )
        delete = next(t for t in tools if t.name == "delete_a_group")
        check(
            delete.annotations.destructive_hint is True
            and delete.annotations.read_only_hint is False,
            "annotations",
            delete.annotations,
        )
        if mode == "http":
            check("list_synced_records" in names, "extras", sorted(names))

        call = session.call_tool
        read_result = await call("get_list_all_users", {"limit": 3})
        check(
            not read_result.is_error and len(read_result.structured_content["items"]) == 3,
            "read call",
            read_result,
        )

        made = await call(
            "post_create_a_group", {"body": {"profile": {"name": f"python-{time.time_ns()}"}}}
        )
        group = (made.structured_content or {}).get("id")
        check(not made.is_error and group, "write call", made)

        state["answer"] = "decline"
        declined = await call("delete_a_group", {"groupId": group})
        still = await call("get_retrieve_a_group", {"groupId": group})
        check(
            declined.is_error and state["asked"] == 1 and not still.is_error,
            "destructive declined",
            declined,
        )
        state["answer"] = "accept"
        deleted = await call("delete_a_group", {"groupId": group})
        gone = await call("get_retrieve_a_group", {"groupId": group})
        check(
            not deleted.is_error and state["asked"] == 2 and gone.is_error,
            "destructive confirmed",
            deleted,
        )

        invalid = await call(
            "post_create_a_user",
            {
                "body": {
                    "profile": {
                        "firstName": "A",
                        "lastName": "B",
                        "email": "not-an-email",
                        "login": "a@example.com",
                    }
                }
            },
        )
        check(
            invalid.is_error and "body.profile.email" in invalid.content[0].text,
            "invalid input",
            invalid,
        )

        missing = await call("get_retrieve_a_user", {"id": "00unosuchuser000000"})
        check(
            missing.is_error
            and json.loads(missing.content[-1].text)["error"]["errorCode"] == "E0000007",
            "okta 404",
            missing,
        )

        # Pages of 200 are cut by the size cap; `next` continues after the last item kept.
        seen, cut, args = [], 0, {"limit": 200}
        for _ in range(500):
            page = await call("get_list_all_users", args)
            check(not page.is_error, "a page", page) if page.is_error else None
            out = page.structured_content
            cut += 1 if out.get("truncated") else 0
            seen.extend(u["id"] for u in out["items"])
            if not out.get("next"):
                break
            args = {"limit": 200, "after": out["next"]}
        ids, args = set(), {"limit": 200, "item_fields": ["id"]}
        for _ in range(500):
            out = (await call("get_list_all_users", args)).structured_content
            ids.update(u["id"] for u in out["items"])
            if not out.get("next"):
                break
            args = {"limit": 200, "item_fields": ["id"], "after": out["next"]}
        check(
            len(seen) >= 1000 and len(set(seen)) == len(seen) and set(seen) == ids and cut > 0,
            f"paging ({len(seen)} users, {cut} pages cut)",
            {"seen": len(seen), "unique": len(set(seen)), "ids": len(ids), "cut": cut},
        )


if __name__ == "__main__":
    anyio.run(main, *sys.argv[1:])
