// Helpers shared by the Node SDK conformance scripts (Okta's official @okta/okta-sdk-nodejs).
// The Rust harness starts the emulator and passes OKTA_CLIENT_ORGURL / OKTA_CLIENT_TOKEN and
// NODE_PATH (the pinned SDK under target/third-party/node). A script exits non-zero on the
// first failed check.
'use strict';

const okta = require('@okta/okta-sdk-nodejs');

const ORG_URL = process.env.OKTA_CLIENT_ORGURL.replace(/\/$/, '');
const TOKEN = process.env.OKTA_CLIENT_TOKEN;
const counts = { sdkCalls: 0, checks: 0 };

function client({ maxRetries = 2, token = TOKEN } = {}) {
  return new okta.Client({
    orgUrl: ORG_URL,
    token,
    requestExecutor: new okta.DefaultRequestExecutor({ maxRetries }),
    cacheMiddleware: null,
  });
}

function check(cond, msg) {
  counts.checks += 1;
  if (!cond) throw new Error(`check failed: ${msg}`);
}

function eq(got, want, what) {
  const g = JSON.stringify(got);
  const w = JSON.stringify(want);
  check(g === w, `${what}: expected ${w}, got ${g}`);
}

async function ok(promise, what) {
  counts.sdkCalls += 1;
  try {
    return await promise;
  } catch (e) {
    throw new Error(`${what}: expected success, got ${e.status || ''} ${e.errorCode || ''} ${e.message}`);
  }
}

async function fails(promise, status, code, what) {
  counts.sdkCalls += 1;
  let result;
  try {
    result = await promise;
    // list calls return a Collection that requests its first page lazily
    if (result && typeof result.next === 'function' && result.currentItems !== undefined) await result.next();
  } catch (e) {
    check(e.status === status && e.errorCode === code, `${what}: expected ${status} ${code}, got ${e.status} ${e.errorCode}: ${e.message}`);
    return e;
  }
  const shown = result && result.currentItems !== undefined ? `a list (${result.nextUri})` : JSON.stringify(result);
  throw new Error(`${what}: expected ${status} ${code}, got success: ${shown}`);
}

// Every item of a Collection, following its Link `next` pages.
async function all(collectionPromise, what) {
  const collection = await ok(collectionPromise, what);
  const out = [];
  for await (const item of collection) {
    out.push(item);
    check(out.length < 1_000_000, `${what}: runaway paging`);
  }
  return out;
}

function run(main) {
  main().then(
    () => console.log(`SDK_CALLS=${counts.sdkCalls} CHECKS=${counts.checks}`),
    (e) => {
      console.error(e && e.stack ? e.stack : e);
      console.error(`FAILED after ${counts.sdkCalls} SDK calls, ${counts.checks} checks`);
      process.exit(1);
    },
  );
}

module.exports = { okta, client, check, eq, ok, fails, all, run, counts, ORG_URL, TOKEN };
