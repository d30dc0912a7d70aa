"""Paging 1,000+ users with limit=200 through the Python SDK, following the Link header's
`after` cursor as okta.pagination does: every
user is visited exactly once, pages are full except the last, and the visited set equals
the org's listable users (written to VISITED_IDS_FILE; the harness checks them against the
emulator's admin API)."""

import os

from common import check, client, eq, pages, run


async def main():
    c = client()
    listed = await pages(c.list_users, "list users limit=200", limit=200)
    seen = [u.id for page in listed for u in page]
    pages_ = [len(page) for page in listed]
    # A full last page may be followed by one empty page (the cursor can't know it was the
    # last); that costs a request but visits nothing twice, so it is accepted.
    if len(pages_) > 1 and pages_[-1] == 0:
        pages_.pop()

    total = len(seen)
    check(total >= 1000, f"expected 1,000+ users, listed {total}")
    dupes = sorted({i for i in seen if seen.count(i) > 1}) if len(set(seen)) != total else []
    eq(dupes, [], "users visited more than once")
    check(all(p == 200 for p in pages_[:-1]), f"every page but the last is full: {pages_}")
    check(0 < pages_[-1] <= 200, f"last page size: {pages_}")
    eq(len(pages_), (total + 199) // 200, "page count")

    # The harness checks the visited ids against the emulator's own state.
    with open(os.environ["VISITED_IDS_FILE"], "w") as f:
        f.write("\n".join(seen))
    print(f"paged {total} users in {len(pages_)} pages")


run(main)
