// Drives Spindle's MCP server with the official TypeScript SDK (npm @modelcontextprotocol/sdk).
//
// Usage: node client.cjs stdio SPINDLE_BIN ORG_URL TOKEN
//        node client.cjs http URL KEY
// Checks initialize, the tool list, a read, a write, a destructive call confirmed and refused by
// elicitation, invalid input, Okta's 404 and paging through `next`. The SDK validates every
// successful result's structuredContent against the tool's outputSchema (listed first). Prints
// one line per check; exits 1 on the first failure.
const { Client } = require("@modelcontextprotocol/sdk/client/index.js");
const { StdioClientTransport } = require("@modelcontextprotocol/sdk/client/stdio.js");
const {
  StreamableHTTPClientTransport,
} = require("@modelcontextprotocol/sdk/client/streamableHttp.js");
const { ElicitRequestSchema } = require("@modelcontextprotocol/sdk/types.js");

function check(condition, what, detail) {
  if (!condition) {
    console.error(`FAILED: ${what}: ${JSON.stringify(detail)}`);
    process.exit(1);
  }
  console.log(`ok ${what}`);
}

async function main() {
  const [mode, a, b, c] = process.argv.slice(2);
  let transport;
  if (mode === "stdio") {
    transport = new StdioClientTransport({
      command: a,
      args: ["mcp", "--org-url", b, "--token", c, "--allow-writes"],
      stderr: "inherit",
    });
  } else {
    transport = new StreamableHTTPClientTransport(new URL(a), {
      requestInit: { headers: { Authorization: `Bearer ${b}` } },
    });
  }
  let answer = "decline";
  let asked = 0;
  const client = new Client(
    { name: "spindle-node-check", version: "1.0.0" },
    { capabilities: { elicitation: {} } },
  );
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    asked += 1;
    const message = request.params.message || "";
    if (!message.includes("destructive")) throw new Error(`unexpected prompt: ${message}`);
    return answer === "accept"
      ? { action: "accept", content: { confirm: true } }
      : { action: answer };
  });
  await client.connect(transport);
  const version = client.getServerVersion();
  check(version && version.name === "spindle", "initialize", version);

  const tools = [];
  let cursor;
  do {
    const page = await client.listTools(cursor ? { cursor } : {});
    tools.push(...page.tools);
    cursor = page.nextCursor;
  } while (cursor);
  const names = new Set(tools.map((t) => t.name));
  check(
    ["get_list_all_users", "post_create_a_group", "delete_a_group", "get_retrieve_a_user"].every(
      (n) => names.has(n),
    ) && tools.every((t) => t.inputSchema.type === "object" && t.outputSchema.type === "object"),
    `tools/list (${tools.length} tools, object schemas)`,
    [...names],
  );
  const del = tools.find((t) => t.name === "delete_a_group");
  check(
    del.annotations.destructiveHint === true && del.annotations.readOnlyHint === false,
    "annotations",
    del.annotations,
  );
  if (mode === "http") check(names.has("list_synced_records"), "extras", [...names]);

  const call = (name, args) => client.callTool({ name, arguments: args });
  const read = await call("get_list_all_users", { limit: 3 });
  check(!read.isError && read.structuredContent.items.length === 3, "read call", read);

  const made = await call("post_create_a_group", {
    body: { profile: { name: `node-${Date.now()}` } },
  });
  const group = made.structuredContent && made.structuredContent.id;
  check(!made.isError && group, "write call", made);

  answer = "decline";
  const declined = await call("delete_a_group", { groupId: group });
  const still = await call("get_retrieve_a_group", { groupId: group });
  check(declined.isError && asked === 1 && !still.isError, "destructive declined", declined);
  answer = "accept";
  const deleted = await call("delete_a_group", { groupId: group });
  const gone = await call("get_retrieve_a_group", { groupId: group });
  check(!deleted.isError && asked === 2 && gone.isError, "destructive confirmed", deleted);

  const invalid = await call("post_create_a_user", {
    body: {
      profile: { firstName: "A", lastName: "B", email: "not-an-email", login: "a@example.com" },
    },
  });
  check(
    invalid.isError && invalid.content[0].text.includes("body.profile.email"),
    "invalid input",
    invalid,
  );

  const missing = await call("get_retrieve_a_user", { id: "00unosuchuser000000" });
  check(
    missing.isError &&
      JSON.parse(missing.content[missing.content.length - 1].text).error.errorCode === "E0000007",
    "okta 404",
    missing,
  );

  // Paging: pages of 200 are cut by the size cap; `next` continues after the last item kept.
  const seen = [];
  let args = { limit: 200 };
  let cut = 0;
  for (let i = 0; i < 500; i += 1) {
    const page = await call("get_list_all_users", args);
    if (page.isError) check(false, "paging", page);
    if (page.structuredContent.truncated) cut += 1;
    for (const user of page.structuredContent.items) seen.push(user.id);
    const next = page.structuredContent.next;
    if (!next) break;
    args = { limit: 200, after: next };
  }
  // The same list again with only the ids (no page is cut): the same users.
  const ids = new Set();
  args = { limit: 200, item_fields: ["id"] };
  for (let i = 0; i < 500; i += 1) {
    const page = await call("get_list_all_users", args);
    for (const user of page.structuredContent.items) ids.add(user.id);
    if (!page.structuredContent.next) break;
    args = { limit: 200, item_fields: ["id"], after: page.structuredContent.next };
  }
  const unique = new Set(seen);
  check(
    seen.length >= 1000 &&
      unique.size === seen.length &&
      unique.size === ids.size &&
      [...ids].every((id) => unique.has(id)) &&
      cut > 0,
    `paging (${seen.length} users, ${cut} pages cut)`,
    { seen: seen.length, unique: unique.size, ids: ids.size, cut },
  );
  await client.close();
}

main().catch((error) => {
  console.error(`FAILED: ${error && error.stack ? error.stack : error}`);
  process.exit(1);
});
