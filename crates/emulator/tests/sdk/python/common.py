"""Helpers shared by the Python SDK conformance scripts.

Each script drives a running emulator through Okta's official Python SDK (PyPI `okta`)
and asserts real results. The Rust harness (tests/conformance) starts the emulator and
passes OKTA_CLIENT_ORGURL / OKTA_CLIENT_TOKEN. A script exits non-zero on the first
failed check, with a message naming what was expected and what came back.
"""

import asyncio
import json
import os
import sys
import traceback
import urllib.error
import urllib.request

from okta.client import Client as OktaClient

ORG_URL = os.environ["OKTA_CLIENT_ORGURL"].rstrip("/")
TOKEN = os.environ["OKTA_CLIENT_TOKEN"]

# Every SDK call made through `call` is counted and reported on stdout at exit, so the
# harness can report how much of the SDK surface was exercised.
SDK_CALLS = 0
CHECKS = 0


def client(max_retries=2, token=None):
    """An SDK client for the emulator (plain http needs the testing flag)."""
    return OktaClient(
        {
            "orgUrl": ORG_URL,
            "token": TOKEN if token is None else token,
            "authorizationMode": "SSWS",
            "rateLimit": {"maxRetries": max_retries},
            "cache": {"enabled": False},
            "testing": {"testingDisableHttpsCheck": True},
        }
    )


async def call(coro):
    """Awaits an SDK call and normalises its result to (data, resp, err).

    The generated SDK returns (data, resp, err) for calls with a body and (resp, err) for
    calls whose response model is `Success`.
    """
    global SDK_CALLS
    SDK_CALLS += 1
    out = await coro
    if len(out) == 3:
        return out
    resp, err = out
    return None, resp, err


async def ok(coro, what):
    """Awaits an SDK call that must succeed; returns its data."""
    data, resp, err = await call(coro)
    check(err is None, f"{what}: expected success, got error {describe(err)}")
    return data, resp


async def fails(coro, status, code, what):
    """Awaits an SDK call that must fail with HTTP `status` and Okta `code`."""
    data, resp, err = await call(coro)
    check(err is not None, f"{what}: expected {status} {code}, got success: {data!r}")
    got_status = getattr(err, "status", None)
    got_code = getattr(err, "error_code", None)
    check(
        got_status == status and got_code == code,
        f"{what}: expected {status} {code}, got {got_status} {got_code}: {describe(err)}",
    )
    return err


def describe(err):
    if err is None:
        return "None"
    return f"{type(err).__name__}: {err}"


def check(cond, msg):
    global CHECKS
    CHECKS += 1
    if not cond:
        raise AssertionError(msg)


def eq(got, want, what):
    check(got == want, f"{what}: expected {want!r}, got {got!r}")


def status_of(obj):
    """The `status` of an SDK model as a plain string."""
    st = getattr(obj, "status", None)
    return getattr(st, "value", st)


def plain(obj):
    """An SDK model as plain JSON data."""
    if obj is None:
        return None
    # the SDK's to_dict/to_json leave out readOnly fields (ids, tokens, provider.name...),
    # so dump the pydantic model itself
    if getattr(obj, "actual_instance", None) is not None:  # oneOf/anyOf wrappers
        return plain(obj.actual_instance)
    if hasattr(obj, "model_dump"):
        out = obj.model_dump(by_alias=True, mode="json", exclude_none=True)
        out.update(out.pop("additional_properties", None) or {})
        # nested oneOf/anyOf wrappers dump as {"actual_instance": ...}
        for k, v in list(out.items()):
            child = getattr(obj, k, None)
            if getattr(child, "actual_instance", None) is not None:
                out[k] = plain(child)
        return out
    if isinstance(obj, list):
        return [plain(o) for o in obj]
    return obj


def raw(method, path, body=None, token=TOKEN, headers=None):
    """A raw HTTP call to the emulator (for the admin API and header checks).

    Returns (status, headers, parsed JSON body or None).
    """
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(ORG_URL + path, data=data, method=method)
    req.add_header("Accept", "application/json")
    if body is not None:
        req.add_header("Content-Type", "application/json")
    if token is not None:
        req.add_header("Authorization", f"SSWS {token}")
    for k, v in (headers or {}).items():
        req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            text = resp.read().decode()
            return resp.status, resp.headers, (json.loads(text) if text else None)
    except urllib.error.HTTPError as e:
        text = e.read().decode()
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return e.code, e.headers, parsed


def run(main):
    """Runs an async `main(client)` in a clean way and reports counts; exit 1 on failure."""
    try:
        asyncio.run(main())
    except Exception:  # noqa: BLE001 - the harness shows the traceback
        traceback.print_exc()
        print(f"FAILED after {SDK_CALLS} SDK calls, {CHECKS} checks", file=sys.stderr)
        sys.exit(1)
    print(f"SDK_CALLS={SDK_CALLS} CHECKS={CHECKS}")


async def pages(method, what, **kwargs):
    """Every page of a list call, following the `after` cursor of the Link header the
    way the SDK's own `okta.pagination.paginate_pages` does, but failing on errors
    (the SDK helper silently stops). Returns a list of pages (lists of models)."""
    from okta.pagination import PaginationHelper

    out = []
    after = kwargs.pop("after", None)
    while True:
        if after is not None:
            kwargs["after"] = after
        data, resp, err = await call(method(**kwargs))
        check(err is None, f"{what} (page {len(out) + 1}): {describe(err)}")
        out.append(list(data or []))
        after = PaginationHelper.extract_next_cursor(resp.headers or {})
        if not after:
            return out
        check(len(out) < 10_000, f"{what}: more than 10,000 pages, cursor loop?")


async def collect(method, what, **kwargs):
    """All items of a list call, across pages."""
    return [item for page in await pages(method, what, **kwargs) for item in page]
