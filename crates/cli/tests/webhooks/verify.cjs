// Verifies webhook deliveries with the Standard Webhooks library (npm standardwebhooks).
//
// Reads a JSON array of cases from stdin, each {name, secret, body, headers}, and prints a JSON
// array of results, each {name, verified, payload} or {name, verified: false, error}.
const { Webhook, WebhookVerificationError } = require("standardwebhooks");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", () => {
  const results = JSON.parse(input).map((c) => {
    try {
      const payload = new Webhook(c.secret).verify(c.body, c.headers);
      return { name: c.name, verified: true, payload };
    } catch (error) {
      if (!(error instanceof WebhookVerificationError)) throw error;
      return { name: c.name, verified: false, error: String(error && error.message) };
    }
  });
  process.stdout.write(JSON.stringify(results));
});
