//! The optional query parameters of enrolling and verifying a factor (`templateId`,
//! `tokenLifetimeSeconds`) reach Okta, against the emulator: it refuses a lifetime out of
//! 1–86400 and logs every request's query.

use serde_json::{Value, json};
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_okta::factors::{EnrollFactor, VerifyFactor};
use spindle_okta::models::*;
use spindle_okta::users::CreateUser;
use spindle_okta::{Client, Config};

async fn org() -> (Emulator, Client, String) {
    let emu = Emulator::start(EmulatorConfig {
        users: 0,
        groups: 0,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::new(Config::with_api_token(&emu.url(), emu.token()).unwrap()).unwrap();
    let body = CreateUserBody {
        profile: UserProfile::new()
            .with("login", "ada@example.com")
            .with("email", "ada@example.com")
            .with("firstName", "Ada")
            .with("lastName", "Lovelace"),
        credentials: Some(UserCredentials {
            password: Some(PasswordCredential::new("Zq9!vbnm-Trwx")),
            ..Default::default()
        }),
        ..Default::default()
    };
    let user = client.users().create(CreateUser::new(body)).await.unwrap();
    let id = user.id.unwrap().as_str().to_owned();
    (emu, client, id)
}

/// The query string of the emulator's last logged `POST` to `path`.
async fn last_query(emu: &Emulator, path: &str) -> String {
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
        .rev()
        .find(|r| r["method"] == "POST" && r["path"] == path)
        .and_then(|r| r["query"].as_str())
        .unwrap_or_default()
        .to_owned()
}

fn email_factor() -> UserFactor {
    let mut profile = JsonMap::new();
    profile.insert("email".into(), json!("ada@example.com"));
    UserFactor::enroll(FactorType::Email, FactorProvider::Okta, Some(profile))
}

#[tokio::test]
async fn enroll_sends_the_template_and_the_code_lifetime() {
    let (emu, c, user) = org().await;
    let too_long = EnrollFactor::new(email_factor()).token_lifetime_seconds(86_401);
    let e = c
        .factors()
        .enroll(user.as_str(), too_long)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e:?}");

    let request = EnrollFactor::new(email_factor())
        .template_id("cstm1")
        .token_lifetime_seconds(600);
    let f = c.factors().enroll(user.as_str(), request).await.unwrap();
    assert_eq!(f.status, Some(FactorStatus::PendingActivation));
    let query = last_query(&emu, &format!("/api/v1/users/{user}/factors")).await;
    assert!(query.contains("templateId=cstm1"), "{query}");
    assert!(query.contains("tokenLifetimeSeconds=600"), "{query}");
}

#[tokio::test]
async fn verify_sends_the_template_and_the_code_lifetime() {
    let (emu, c, user) = org().await;
    let mut profile = JsonMap::new();
    profile.insert("question".into(), json!("disliked_food"));
    profile.insert("answer".into(), json!("mayonnaise"));
    let question = UserFactor::enroll(FactorType::Question, FactorProvider::Okta, Some(profile));
    let f = c
        .factors()
        .enroll(user.as_str(), EnrollFactor::new(question))
        .await
        .unwrap();
    let fid = f.id.unwrap();
    let answer = || Some(FactorPasscode::answer("mayonnaise"));

    let zero = VerifyFactor::new(answer()).token_lifetime_seconds(0);
    let e = c
        .factors()
        .verify(user.as_str(), fid.clone(), zero)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(400), "{e:?}");

    let request = VerifyFactor::new(answer())
        .template_id("cstm1")
        .token_lifetime_seconds(600);
    let ok = c
        .factors()
        .verify(user.as_str(), fid.clone(), request)
        .await
        .unwrap();
    assert_eq!(ok.factor_result, Some(FactorResult::Success));
    let path = format!("/api/v1/users/{user}/factors/{}/verify", fid.as_str());
    let query = last_query(&emu, &path).await;
    assert!(query.contains("templateId=cstm1"), "{query}");
    assert!(query.contains("tokenLifetimeSeconds=600"), "{query}");
}

#[test]
fn a_factor_debug_hides_the_answer_and_shared_secret_it_enrolls_with() {
    let mut profile = JsonMap::new();
    profile.insert("question".into(), json!("disliked_food"));
    profile.insert("answer".into(), json!("mayonnaise"));
    profile.insert("sharedSecret".into(), json!("JBSWY3DPEHPK3PXP"));
    let factor = UserFactor::enroll(FactorType::Question, FactorProvider::Okta, Some(profile));
    let shown = format!("{factor:?}");
    assert!(!shown.contains("mayonnaise"), "{shown}");
    assert!(!shown.contains("JBSWY3DPEHPK3PXP"), "{shown}");
    assert!(shown.contains("disliked_food"), "{shown}");
}
