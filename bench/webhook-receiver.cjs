// A webhook receiver for bench/webhooks.sh: answers every POST with 204 at once and appends one
// line per request to the file given as its argument:
//   <arrival, ms since the epoch> <data.seq> <data.okta_at, ms since the epoch, or -> <webhook-id>
// Prints `url=http://127.0.0.1:PORT/hooks` when it listens. Node's own http module: no packages.
'use strict';
const fs = require('fs');
const http = require('http');

const out = fs.createWriteStream(process.argv[2], { flags: 'a' });
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const arrived = Date.now();
    let seq = '-';
    let oktaAt = '-';
    try {
      const data = JSON.parse(Buffer.concat(chunks)).data || {};
      if (data.seq !== undefined) seq = data.seq;
      const t = Date.parse(data.okta_at);
      if (!Number.isNaN(t)) oktaAt = t;
    } catch (_) {
      // Not JSON: recorded with `-`.
    }
    out.write(`${arrived} ${seq} ${oktaAt} ${req.headers['webhook-id'] || '-'}\n`);
    res.writeHead(204);
    res.end();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => {
  console.log(`url=http://127.0.0.1:${server.address().port}/hooks`);
});
process.on('SIGTERM', () => out.end(() => process.exit(0)));
