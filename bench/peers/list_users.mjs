// List every user with Okta's official Node SDK; print the count as JSON.
import okta from '@okta/okta-sdk-nodejs';

const client = new okta.Client({
  orgUrl: process.env.OKTA_CLIENT_ORGURL,
  token: process.env.OKTA_CLIENT_TOKEN,
  testing: { disableHttpsCheck: true },
});
let n = 0;
const users = await client.userApi.listUsers({ limit: 200 });
await users.each(() => { n += 1; });
console.log(JSON.stringify({ client: 'okta-sdk-nodejs', users: n }));
