//! The client against the in-process emulator, for every call the emulator implements
//! (users, lifecycle, credentials, user resources, groups, memberships, apps).
//! The other calls (OAuth, group rules, factors, grants, refresh tokens, linked objects,
//! user types, sessions, MyAccount, Aerial) are in `oauth_factors_grants`.

use std::time::Duration;

use futures::TryStreamExt;
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_okta::models::*;
use spindle_okta::users::{CreateUser, DeactivateOptions, ListUsers, UpdateOptions};
use spindle_okta::{Client, Config, Error, RetryPolicy};

async fn start(users: usize) -> (Emulator, Client) {
    let emu = Emulator::start(EmulatorConfig {
        users,
        groups: 3,
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await
    .unwrap();
    let client = Client::new(Config::with_api_token(&emu.url(), emu.token()).unwrap()).unwrap();
    (emu, client)
}

fn new_user(login: &str) -> CreateUserBody {
    CreateUserBody {
        profile: UserProfile::new()
            .with("login", login)
            .with("email", login)
            .with("firstName", "Ada")
            .with("lastName", "Lovelace")
            .with("department", "Engineering")
            .with("costCenter", "R&D"),
        ..Default::default()
    }
}

fn with_password(login: &str) -> CreateUserBody {
    let mut b = new_user(login);
    b.credentials = Some(UserCredentials {
        password: Some(PasswordCredential::new("Abcd1234!xyZ")),
        recovery_question: Some(RecoveryQuestionCredential::new(
            "Favorite color?",
            "blue green",
        )),
        ..Default::default()
    });
    b
}

fn id(u: &User) -> String {
    u.id.as_ref().map(|i| i.0.clone()).unwrap_or_default()
}

#[tokio::test]
async fn user_crud_keeps_every_attribute_through_read_and_write_back() {
    let (_emu, c) = start(0).await;
    let u = c
        .users()
        .create(CreateUser::new(new_user("ada@example.com")).activate(false))
        .await
        .unwrap();
    assert_eq!(u.status, Some(UserStatus::Staged));
    let uid = id(&u);
    // By id and by login.
    let by_login = c.users().get("ada@example.com", None).await.unwrap();
    assert_eq!(id(&by_login), uid);

    // Partial update touches only the given attribute.
    let body = UpdateUserBody {
        profile: Some(UserProfile::new().with("title", "Countess")),
        ..Default::default()
    };
    let u2 = c
        .users()
        .update(uid.as_str(), &body, UpdateOptions::default())
        .await
        .unwrap();
    assert_eq!(u2.profile.title(), Some("Countess"));
    assert_eq!(u2.profile.get_str("costCenter"), Some("R&D"));

    // Full replace with the user as read: nothing changes.
    let read = c.users().get(uid.as_str(), None).await.unwrap();
    let back = c
        .users()
        .replace(
            uid.as_str(),
            &UpdateUserBody::from(read.clone()),
            UpdateOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(back.profile, read.profile);

    // Delete: first deactivates, second deletes; then 404 E0000007.
    c.users()
        .delete(uid.as_str(), DeactivateOptions::default())
        .await
        .unwrap();
    assert_eq!(
        c.users().get(uid.as_str(), None).await.unwrap().status,
        Some(UserStatus::Deprovisioned)
    );
    c.users()
        .delete(uid.as_str(), DeactivateOptions::default())
        .await
        .unwrap();
    let e = c.users().get(uid.as_str(), None).await.unwrap_err();
    assert!(e.is_not_found(), "{e:?}");
    assert_eq!(e.error_code(), Some("E0000007"));
    assert!(e.request_id().is_some(), "request id kept");
}

#[tokio::test]
async fn duplicate_login_is_an_api_error_with_causes() {
    let (_emu, c) = start(0).await;
    c.users()
        .create(CreateUser::new(new_user("dup@example.com")))
        .await
        .unwrap();
    let e = c
        .users()
        .create(CreateUser::new(new_user("DUP@example.com")))
        .await
        .unwrap_err();
    let Error::Api { status, error, .. } = &e else {
        panic!("{e:?}")
    };
    assert_eq!(*status, 400);
    assert_eq!(error.error_code, "E0000001");
    assert!(!error.error_causes.is_empty());
}

#[tokio::test]
async fn lists_follow_links_to_the_end_with_filters_and_search() {
    let (_emu, c) = start(450).await;
    let all: Vec<User> = c
        .users()
        .list(ListUsers::new())
        .try_collect()
        .await
        .unwrap();
    // The plain list hides DEPROVISIONED users, which the synthetic org has a few of.
    assert!(all.len() > 400 && all.len() <= 450, "listed {}", all.len());
    let ids: std::collections::HashSet<_> = all.iter().map(id).collect();
    assert_eq!(ids.len(), all.len(), "no user twice across pages");
    // Small pages: more pages, same users.
    let small: Vec<User> = c
        .users()
        .list(ListUsers::new().limit(7))
        .try_collect()
        .await
        .unwrap();
    let small_ids: std::collections::HashSet<_> = small.iter().map(id).collect();
    assert_eq!(small_ids, ids);
    let page = c
        .users()
        .list_page(ListUsers::new().limit(7))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 7);
    assert!(page.has_next());

    let active: Vec<User> = c
        .users()
        .list(ListUsers::new().filter("status eq \"ACTIVE\""))
        .try_collect()
        .await
        .unwrap();
    assert!(!active.is_empty());
    assert!(active.iter().all(|u| u.status == Some(UserStatus::Active)));
    let dept = all[0]
        .profile
        .department()
        .unwrap_or("Engineering")
        .to_owned();
    let found: Vec<User> = c
        .users()
        .list(ListUsers::new().search(format!("profile.department eq \"{dept}\"")))
        .try_collect()
        .await
        .unwrap();
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|u| u.profile.department() == Some(dept.as_str()))
    );
}

#[tokio::test]
async fn lifecycle_calls_move_the_user_through_its_states() {
    let (emu, c) = start(0).await;
    let u = c
        .users()
        .create(CreateUser::new(with_password("life@example.com")).activate(false))
        .await
        .unwrap();
    let uid = id(&u);
    let users = c.users();
    let tok = users.activate(uid.as_str(), Some(false)).await.unwrap();
    assert!(tok.activation_token.is_some());
    let status = |u: User| u.status;
    assert_eq!(
        status(users.get(uid.as_str(), None).await.unwrap()),
        Some(UserStatus::Active)
    );
    users.suspend(uid.as_str()).await.unwrap();
    assert_eq!(
        status(users.get(uid.as_str(), None).await.unwrap()),
        Some(UserStatus::Suspended)
    );
    // Wrong state: unsuspend twice → 400 E0000001.
    users.unsuspend(uid.as_str()).await.unwrap();
    let e = users.unsuspend(uid.as_str()).await.unwrap_err();
    assert_eq!((e.status(), e.error_code()), (Some(400), Some("E0000001")));

    // Locked out by the emulator's admin API, then unlocked.
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/__emulator/users/{uid}/lockout", emu.url()))
        .header("authorization", format!("SSWS {}", emu.token()))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "lockout: {}", r.status());
    users.unlock(uid.as_str()).await.unwrap();
    assert_eq!(
        status(users.get(uid.as_str(), None).await.unwrap()),
        Some(UserStatus::Active)
    );

    let expired = users.expire_password(uid.as_str()).await.unwrap();
    assert_eq!(expired.status, Some(UserStatus::PasswordExpired));
    let temp = users
        .expire_password_with_temp_password(uid.as_str(), Some(false))
        .await
        .unwrap();
    assert!(temp.temp_password.is_some() || temp.extra.contains_key("user"));
    let reset = users
        .reset_password(uid.as_str(), false, Some(false))
        .await
        .unwrap();
    assert!(reset.reset_password_url.is_some());
    assert_eq!(
        status(users.get(uid.as_str(), None).await.unwrap()),
        Some(UserStatus::Recovery)
    );
    // RECOVERY → reactivate restarts activation with a fresh token.
    let tok = users.reactivate(uid.as_str(), Some(false)).await.unwrap();
    assert!(tok.activation_url.is_some(), "{tok:?}");
    users.reset_factors(uid.as_str()).await.unwrap();
    users
        .deactivate(
            uid.as_str(),
            DeactivateOptions {
                send_email: Some(false),
                respond_async: false,
            },
        )
        .await
        .unwrap();
    assert_eq!(
        status(users.get(uid.as_str(), None).await.unwrap()),
        Some(UserStatus::Deprovisioned)
    );
}

#[tokio::test]
async fn credential_calls() {
    let (_emu, c) = start(0).await;
    let u = c
        .users()
        .create(CreateUser::new(with_password("cred@example.com")).activate(true))
        .await
        .unwrap();
    let uid = id(&u);
    let users = c.users();
    let body = ChangePasswordBody {
        old_password: Some(PasswordCredential::new("Abcd1234!xyZ")),
        new_password: Some(PasswordCredential::new("Wxyz9876!abC")),
        ..Default::default()
    };
    let creds = users
        .change_password(uid.as_str(), &body, None)
        .await
        .unwrap();
    assert!(creds.password.is_some() || creds.provider.is_some());
    // Wrong current password → 403.
    let e = users
        .change_password(uid.as_str(), &body, None)
        .await
        .unwrap_err();
    assert_eq!(e.status(), Some(403), "{e:?}");

    let change_q = UserCredentials {
        password: Some(PasswordCredential::new("Wxyz9876!abC")),
        recovery_question: Some(RecoveryQuestionCredential::new(
            "First pet?",
            "a cat named Tom",
        )),
        ..Default::default()
    };
    let creds = users
        .change_recovery_question(uid.as_str(), &change_q)
        .await
        .unwrap();
    assert_eq!(
        creds.recovery_question.and_then(|q| q.question).as_deref(),
        Some("First pet?")
    );

    let fp = users
        .forgot_password(uid.as_str(), Some(false))
        .await
        .unwrap();
    assert!(fp.reset_password_url.is_some(), "{fp:?}");
    let answer = UserCredentials {
        password: Some(PasswordCredential::new("Qwer5678!tyU")),
        recovery_question: Some(RecoveryQuestionCredential {
            answer: Some("a cat named Tom".into()),
            ..Default::default()
        }),
        ..Default::default()
    };
    users
        .forgot_password_set_new_password(uid.as_str(), &answer, Some(false))
        .await
        .unwrap();
}

#[tokio::test]
async fn user_resources_and_session_revocation() {
    let (_emu, c) = start(5).await;
    let u = c
        .users()
        .create(CreateUser::new(new_user("res@example.com")))
        .await
        .unwrap();
    let uid = id(&u);
    let groups: Vec<Group> = c.users().groups(uid.as_str()).try_collect().await.unwrap();
    assert!(
        groups
            .iter()
            .any(|g| g.group_type == Some(GroupType::BuiltIn)),
        "Everyone is among the user's groups"
    );
    assert!(c.users().app_links(uid.as_str()).await.unwrap().is_empty());
    assert!(c.idps().for_user(uid.as_str()).await.unwrap().is_empty());
    assert!(c.users().blocks(uid.as_str()).await.unwrap().is_empty());
    c.sessions()
        .revoke_all(uid.as_str(), Some(true), None)
        .await
        .unwrap();
    let e = c
        .sessions()
        .revoke_all("00unknown0000000000", Some(true), None)
        .await
        .unwrap_err();
    assert!(e.is_not_found());
}

#[tokio::test]
async fn groups_memberships_and_apps() {
    let (_emu, c) = start(3).await;
    let g = c
        .groups()
        .create(&GroupBody::new(
            "Spindle client test",
            Some("Builders".into()),
        ))
        .await
        .unwrap();
    let gid = g.id.clone().map(|i| i.0).unwrap_or_default();
    assert_eq!(g.group_type, Some(GroupType::OktaGroup));
    let g = c
        .groups()
        .replace(
            gid.as_str(),
            &GroupBody::new("Spindle client test", Some("Makers".into())),
        )
        .await
        .unwrap();
    assert_eq!(g.profile.description(), Some("Makers"));
    assert_eq!(
        c.groups()
            .get(gid.as_str())
            .await
            .unwrap()
            .profile
            .description(),
        Some("Makers")
    );
    let listed: Vec<Group> = c
        .groups()
        .list(Default::default())
        .try_collect()
        .await
        .unwrap();
    assert!(listed.iter().any(|x| x.id == g.id));

    let u = c
        .users()
        .create(CreateUser::new(new_user("member@example.com")))
        .await
        .unwrap();
    let uid = id(&u);
    c.groups()
        .add_user(gid.as_str(), uid.as_str())
        .await
        .unwrap();
    let members: Vec<User> = c
        .groups()
        .members(gid.as_str())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        members.iter().map(id).collect::<Vec<_>>(),
        std::slice::from_ref(&uid)
    );

    let app = c
        .apps()
        .create(
            &Application::oidc("Test app", "web", &["authorization_code"]),
            Some(true),
        )
        .await
        .unwrap();
    let aid = app.id.clone().map(|i| i.0).unwrap_or_default();
    assert_eq!(
        c.apps().get(aid.as_str()).await.unwrap().label.as_deref(),
        Some("Test app")
    );
    let apps: Vec<Application> = c.apps().list(None, None).try_collect().await.unwrap();
    assert!(apps.iter().any(|a| a.id == app.id));
    c.apps()
        .assign_group(aid.as_str(), gid.as_str())
        .await
        .unwrap();
    c.apps()
        .assign_user(aid.as_str(), uid.as_str())
        .await
        .unwrap();
    let group_apps: Vec<Application> = c.groups().apps(gid.as_str()).try_collect().await.unwrap();
    assert!(group_apps.iter().any(|a| a.id == app.id));
    assert!(!c.users().app_links(uid.as_str()).await.unwrap().is_empty());

    c.groups()
        .remove_user(gid.as_str(), uid.as_str())
        .await
        .unwrap();
    let members: Vec<User> = c
        .groups()
        .members(gid.as_str())
        .try_collect()
        .await
        .unwrap();
    assert!(members.is_empty());
    c.apps().deactivate(aid.as_str()).await.unwrap();
    c.apps().delete(aid.as_str()).await.unwrap();
    c.groups().delete(gid.as_str()).await.unwrap();
    let e = c.groups().get(gid.as_str()).await.unwrap_err();
    assert_eq!((e.status(), e.error_code()), (Some(404), Some("E0000007")));
}

#[tokio::test]
async fn rate_limited_calls_wait_for_the_reset_and_succeed() {
    let emu = Emulator::start(EmulatorConfig {
        users: 1,
        rate_limit: RateLimitMode::PerWindow(3),
        rate_limit_window: Duration::from_secs(1),
        ..Default::default()
    })
    .await
    .unwrap();
    // Pacing off: every 4th call hits a 429 and must be retried after the reset.
    let config = Config::with_api_token(&emu.url(), emu.token())
        .unwrap()
        .pacing(false)
        .retry(RetryPolicy::default().with_max_attempts(4));
    let c = Client::new(config).unwrap();
    for _ in 0..8 {
        c.groups().list_page(Default::default()).await.unwrap();
    }
    let log: serde_json::Value = reqwest::Client::new()
        .get(format!("{}/__emulator/requests", emu.url()))
        .header("authorization", format!("SSWS {}", emu.token()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = log.to_string();
    assert!(
        text.contains("429"),
        "the emulator should have answered 429 at least once"
    );
}
