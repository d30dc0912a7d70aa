// A 429 is honoured and retried by the Node SDK's DefaultRequestExecutor: with a small limit
// configured by the harness, a burst with retries enabled all succeeds; the same burst with
// retries disabled surfaces 429 E0000047 (so the first burst really was retried).
'use strict';
const { client, check, ok, run, counts } = require('./common.cjs');

run(async () => {
  const burst = Number(process.env.RATE_LIMIT_BURST || '8');
  const c = client({ maxRetries: 5 });
  for (let i = 0; i < burst; i++) {
    const coll = await ok(c.groupApi.listGroups({ limit: 1 }), `call ${i}`);
    await coll.next(); // the collection fetches its first page lazily
  }
  const noRetry = client({ maxRetries: 0 });
  const codes = [];
  for (let i = 0; i < burst; i++) {
    counts.sdkCalls += 1;
    try {
      const coll = await noRetry.groupApi.listGroups({ limit: 1 });
      await coll.next();
    } catch (e) {
      codes.push(`${e.status} ${e.errorCode}`);
    }
  }
  check(codes.length > 0, `${burst} calls without retries never hit the limit`);
  check(codes.every((x) => x === '429 E0000047'), `rate limited calls fail with 429 E0000047: ${codes}`);
  console.log(`rate limited without retries: ${codes.length} of ${burst}`);
});
