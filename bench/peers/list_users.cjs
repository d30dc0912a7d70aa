// List every user with Okta's official Node SDK (@okta/okta-sdk-nodejs); print the count as JSON.
'use strict';
const okta = require('@okta/okta-sdk-nodejs');

(async () => {
  const client = new okta.Client({
    orgUrl: process.env.OKTA_CLIENT_ORGURL.replace(/\/$/, ''),
    token: process.env.OKTA_CLIENT_TOKEN,
    requestExecutor: new okta.DefaultRequestExecutor({ maxRetries: 2 }),
    cacheMiddleware: null,
  });
  let n = 0;
  const users = await client.userApi.listUsers({ limit: 200 });
  for await (const _user of users) {
    n += 1;
  }
  console.log(JSON.stringify({ client: 'okta-sdk-nodejs', users: n }));
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
