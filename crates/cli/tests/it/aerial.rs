//! The six Aerial actions through `spindle run --aerial-url/--aerial-token` against the
//! emulator's Aerial host (`{org_url}/aerial/{accountId}/api/v1/...`).

use serde_json::{Value, json};

use crate::run::{Org, Outcome};

struct Account<'a> {
    org: &'a Org,
    id: String,
    url: String,
    token: String,
}

impl Account<'_> {
    fn run(&self, id: &str, input: Value, extra: &[&str]) -> Outcome {
        let mut args = vec!["--aerial-url", &self.url, "--aerial-token", &self.token];
        args.extend_from_slice(extra);
        self.org.run_with(id, &input, &args)
    }

    fn ok(&self, id: &str, mut input: Value) -> Value {
        input["accountId"] = json!(self.id);
        let outcome = self.run(id, input.clone(), &[]);
        assert_eq!(outcome.code, 0, "{id} {input}: {}", outcome.stderr);
        outcome.json()
    }
}

#[test]
fn the_six_aerial_actions_run_against_the_aerial_host() {
    let org = Org::start(0, 0);
    let created = org.admin(reqwest::Method::POST, "aerial/accounts", Some(json!({})));
    let account = Account {
        org: &org,
        id: created["accountId"]
            .as_str()
            .expect("an account")
            .to_owned(),
        url: format!("{}/aerial", org.emulator.url()),
        token: created["access_token"]
            .as_str()
            .expect("a token")
            .to_owned(),
    };

    let added = account.ok(
        "post_add_org_to_account",
        json!({"body": {"orgId": "00o1abcdefghijklmnop", "cell": "ok1"}}),
    );
    let org_id = added["id"].as_str().expect("an org id").to_owned();
    account.ok(
        "post_add_org_to_account",
        json!({"body": {"domain": "acme.okta.com"}}),
    );

    let got = account.ok("get_retrieve_an_org_by_id", json!({"orgId": org_id}));
    assert_eq!(got["id"], org_id.as_str());

    // Two pages of one org each, followed by --all.
    let mut input = json!({"accountId": account.id, "limit": 1});
    let all = account.run("get_list_all_orgs", input.take(), &["--all"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    assert_eq!(
        all.json()["items"].as_array().map(Vec::len),
        Some(2),
        "{}",
        all.stdout
    );

    let inactive = account.ok(
        "put_change_status_of_org",
        json!({"orgId": org_id, "body": {"status": "INACTIVE"}}),
    );
    assert_eq!(inactive["status"], "INACTIVE", "{inactive}");
    let active = account.ok(
        "get_list_all_orgs",
        json!({"filter": "status eq \"ACTIVE\""}),
    );
    assert_eq!(
        active["items"].as_array().map(Vec::len),
        Some(1),
        "{active}"
    );
    assert_eq!(active["items"][0]["domain"], "acme.okta.com");

    let products = account.ok("get_enabled_products_for_org", json!({"orgId": org_id}));
    assert_eq!(
        products["items"].as_array().map(Vec::len).unwrap_or(0),
        0,
        "{products}"
    );
    let set = account.ok(
        "put_update_enabled_products_for_an_org",
        json!({"orgId": org_id, "body": [{"id": "P000052"}]}),
    );
    assert!(set.to_string().contains("P000052"), "{set}");
    let now = account.ok("get_enabled_products_for_org", json!({"orgId": org_id}));
    assert!(now.to_string().contains("P000052"), "{now}");

    // Another account's id with this token: Okta's 403, exit 3.
    let other = account.run(
        "get_retrieve_an_org_by_id",
        json!({"accountId": "acc-other", "orgId": org_id}),
        &[],
    );
    assert_eq!(other.code, 3, "{}", other.stderr);
    assert!(other.stderr.contains("403"), "{}", other.stderr);
    assert!(!other.stderr.contains(&account.token), "the token leaked");
}
