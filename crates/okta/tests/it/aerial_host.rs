//! A client configured with the Aerial host as its org URL addresses an account with
//! `aerial_account` and reads the account's orgs a page at a time, against the emulator (which
//! serves Aerial under `/aerial`).

use serde_json::{Value, json};
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_okta::aerial::ListOrgs;
use spindle_okta::models::AddOrgBody;
use spindle_okta::{Client, Config, Credentials};

/// An emulator with one Aerial account; returns it, the account id and a client of the Aerial
/// host holding the account's token.
async fn aerial_host() -> (Emulator, String, Client) {
    let emu = Emulator::start(EmulatorConfig {
        users: 0,
        groups: 0,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await
    .unwrap();
    let account: Value = reqwest::Client::new()
        .post(format!("{}/__emulator/aerial/accounts", emu.url()))
        .json(&json!({}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = account["accountId"].as_str().unwrap().to_owned();
    let token = account["access_token"].as_str().unwrap().to_owned();
    let host = format!("{}/aerial", emu.url());
    let client =
        Client::new(Config::new(&host, Credentials::AccessToken(token.into())).unwrap()).unwrap();
    (emu, id, client)
}

/// The query strings of the emulator's logged `GET` requests to `path`.
async fn queries_of(emu: &Emulator, path: &str) -> Vec<Option<String>> {
    let log: Value = reqwest::get(format!("{}/__emulator/requests", emu.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["method"] == "GET" && r["path"] == path)
        .map(|r| r["query"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn orgs_page_of_an_account_on_the_aerial_host_continues_at_its_next_cursor() {
    let (emu, account, host) = aerial_host().await;
    let aerial = host.aerial_account(account.as_str());
    let by_id = aerial
        .add_org(&AddOrgBody {
            org_id: Some("00o1abcdefghijklmnop".into()),
            cell: Some("ok1".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let by_domain = aerial
        .add_org(&AddOrgBody {
            domain: Some("acme.okta.com".into()),
            ..Default::default()
        })
        .await
        .unwrap();

    let first = aerial
        .orgs_page(ListOrgs {
            limit: Some(1),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(first.items.len(), 1, "{first:?}");
    let after = first
        .next_after()
        .expect("a next cursor after the first of two orgs");
    let rest = aerial
        .orgs_page(ListOrgs {
            limit: Some(1),
            after: Some(after),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(rest.items.len(), 1, "{rest:?}");
    assert_eq!(rest.next_after(), None, "two orgs make two pages");
    let mut seen: Vec<_> = first
        .items
        .iter()
        .chain(&rest.items)
        .map(|o| o.id.clone())
        .collect();
    seen.sort();
    let mut added = vec![by_id.id.clone(), by_domain.id.clone()];
    added.sort();
    assert_eq!(seen, added);

    // Without a limit the page leaves the size to Okta (the stream asks for the maximum).
    let all = aerial.orgs_page(ListOrgs::default()).await.unwrap();
    assert_eq!(all.items.len(), 2);
    assert_eq!(all.next_after(), None);
    let path = format!("/aerial/{account}/api/v1/orgs");
    let last = queries_of(&emu, &path)
        .await
        .pop()
        .expect("the last page was logged");
    assert!(
        !last.as_deref().unwrap_or_default().contains("limit="),
        "{last:?}"
    );

    // The account is part of every path: another account's id is refused for this token.
    let other = host.aerial_account("acc-other");
    let id = by_id.id.unwrap();
    assert_eq!(
        other.get_org(id.clone()).await.unwrap_err().status(),
        Some(403)
    );
    assert_eq!(aerial.get_org(id.clone()).await.unwrap().id, Some(id));
}
