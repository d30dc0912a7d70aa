//! Every one of the 79 use cases in ../shared/okta/use-cases.json is reachable through a
//! client call that sends the documented method, path and (only documented) query
//! parameters. Each call runs against its own wiremock server answering the documented
//! success status.

use futures::future::BoxFuture;
use futures::{FutureExt, TryStreamExt};
use serde_json::Value;
use spindle_okta::factors::{EnrollFactor, VerifyFactor};
use spindle_okta::models::*;
use spindle_okta::users::{CreateUser, DeactivateOptions, ListUsers, UpdateOptions};
use spindle_okta::{Client, Error};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{client, shared_dir, skip};

type Call = fn(Client) -> BoxFuture<'static, Result<(), Error>>;

fn d<T>(r: Result<T, Error>) -> Result<(), Error> {
    r.map(|_| ())
}

fn aerial(c: &Client) -> spindle_okta::aerial::Aerial {
    let url = c.org_url().as_str().trim_end_matches('/').to_owned();
    c.aerial(&url, "accountId-v").unwrap()
}

/// use case id → the client call that implements it, with each path parameter set to
/// `"{name}-v"`.
fn calls() -> Vec<(&'static str, Call)> {
    vec![
        ("delete_a_group", |c| {
            async move { c.groups().delete("groupId-v").await }.boxed()
        }),
        ("delete_a_user", |c| {
            async move {
                c.users()
                    .delete(
                        "id-v",
                        DeactivateOptions {
                            send_email: Some(false),
                            respond_async: true,
                        },
                    )
                    .await
            }
            .boxed()
        }),
        ("delete_group_rule", |c| {
            async move { c.group_rules().delete("groupRuleId-v", Some(true)).await }.boxed()
        }),
        ("delete_linked_object", |c| {
            async move {
                c.linked_objects()
                    .delete("userIdOrLogin-v", "relationshipName-v")
                    .await
            }
            .boxed()
        }),
        ("delete_revoke_all_grants_for_a_client", |c| {
            async move { c.grants().revoke_for_client("userId-v", "clientId-v").await }.boxed()
        }),
        ("delete_revoke_all_refresh_tokens_for_a_client", |c| {
            async move { c.tokens().revoke_all("userId-v", "clientId-v").await }.boxed()
        }),
        ("delete_revoke_all_user_grants", |c| {
            async move { c.grants().revoke_all("userId-v").await }.boxed()
        }),
        ("delete_revoke_all_user_sessions", |c| {
            async move {
                c.sessions()
                    .revoke_all("userId-v", Some(true), Some(false))
                    .await
            }
            .boxed()
        }),
        ("delete_revoke_token_for_client", |c| {
            async move {
                c.tokens()
                    .revoke("userId-v", "clientId-v", "tokenId-v")
                    .await
            }
            .boxed()
        }),
        ("delete_revoke_user_grant", |c| {
            async move { c.grants().revoke("userId-v", "grantId-v").await }.boxed()
        }),
        ("delete_unassign_user", |c| {
            async move { c.groups().remove_user("groupId-v", "userId-v").await }.boxed()
        }),
        ("delete_unenroll_a_factor", |c| {
            async move {
                c.factors()
                    .unenroll("userId-v", "factorId-v", Some(false))
                    .await
            }
            .boxed()
        }),
        ("delete_user_type", |c| {
            async move { c.user_types().delete("typeId-v").await }.boxed()
        }),
        ("get_enabled_products_for_org", |c| {
            async move { d(aerial(&c).products("orgId-v").await) }.boxed()
        }),
        ("get_factor_transaction_status", |c| {
            async move {
                d(c.factors()
                    .transaction("userId-v", "factorId-v", "transactionId-v")
                    .await)
            }
            .boxed()
        }),
        ("get_list_all_assigned_application_links", |c| {
            async move { d(c.users().app_links("id-v").await) }.boxed()
        }),
        ("get_list_all_assigned_applications", |c| {
            async move { d(c.groups().apps("groupId-v").try_collect::<Vec<_>>().await) }.boxed()
        }),
        ("get_list_all_clients", |c| {
            async move { d(c.grants().clients("userId-v").await) }.boxed()
        }),
        ("get_list_all_enrolled_factors", |c| {
            async move { d(c.factors().list("userId-v").await) }.boxed()
        }),
        ("get_list_all_grants_for_a_client", |c| {
            async move {
                d(c.grants()
                    .list_for_client("userId-v", "clientId-v", Some("scope".into()))
                    .try_collect::<Vec<_>>()
                    .await)
            }
            .boxed()
        }),
        ("get_list_all_group_rules", |c| {
            async move {
                d(c.group_rules()
                    .list(Some("name".into()), Some("groupIdToGroupNameMap".into()))
                    .try_collect::<Vec<_>>()
                    .await)
            }
            .boxed()
        }),
        ("get_list_all_groups", |c| {
            async move { d(c.users().groups("id-v").try_collect::<Vec<_>>().await) }.boxed()
        }),
        ("get_list_all_identity_providers", |c| {
            async move { d(c.idps().for_user("id-v").await) }.boxed()
        }),
        ("get_list_all_member_users", |c| {
            async move {
                d(c.groups()
                    .members("groupId-v")
                    .try_collect::<Vec<_>>()
                    .await)
            }
            .boxed()
        }),
        ("get_list_all_orgs", |c| {
            async move {
                let q = spindle_okta::aerial::ListOrgs {
                    filter: Some("status eq \"ACTIVE\"".into()),
                    ..Default::default()
                };
                d(aerial(&c).list_orgs(q).try_collect::<Vec<_>>().await)
            }
            .boxed()
        }),
        ("get_list_all_refresh_tokens_for_a_client", |c| {
            async move {
                d(c.tokens()
                    .list("userId-v", "clientId-v", Some("scope".into()))
                    .try_collect::<Vec<_>>()
                    .await)
            }
            .boxed()
        }),
        ("get_list_all_supported_factors", |c| {
            async move { d(c.factors().catalog("userId-v").await) }.boxed()
        }),
        ("get_list_all_supported_security_questions", |c| {
            async move { d(c.factors().questions("userId-v").await) }.boxed()
        }),
        ("get_list_all_user_blocks", |c| {
            async move { d(c.users().blocks("id-v").await) }.boxed()
        }),
        ("get_list_all_user_grants", |c| {
            async move {
                d(c.grants()
                    .list(
                        "userId-v",
                        Some("okta.users.read".into()),
                        Some("scope".into()),
                    )
                    .try_collect::<Vec<_>>()
                    .await)
            }
            .boxed()
        }),
        ("get_list_all_user_types", |c| {
            async move { d(c.user_types().list().await) }.boxed()
        }),
        ("get_list_all_users", |c| {
            async move {
                let q = ListUsers::new()
                    .search("status eq \"ACTIVE\"")
                    .sort("id", "asc")
                    .fields("id")
                    .expand("x");
                d(c.users().list(q).try_collect::<Vec<_>>().await)
            }
            .boxed()
        }),
        ("get_primary_or_all_associated_linked_object_values", |c| {
            async move {
                d(c.linked_objects()
                    .get("userIdOrLogin-v", "relationshipName-v")
                    .await)
            }
            .boxed()
        }),
        ("get_refresh_token_for_client", |c| {
            async move {
                d(c.tokens()
                    .get("userId-v", "clientId-v", "tokenId-v", Some("scope"))
                    .await)
            }
            .boxed()
        }),
        ("get_retrieve_a_factor", |c| {
            async move { d(c.factors().get("userId-v", "factorId-v").await) }.boxed()
        }),
        ("get_retrieve_a_group", |c| {
            async move { d(c.groups().get("groupId-v").await) }.boxed()
        }),
        ("get_retrieve_a_group_rule", |c| {
            async move {
                d(c.group_rules()
                    .get("groupRuleId-v", Some("groupIdToGroupNameMap"))
                    .await)
            }
            .boxed()
        }),
        ("get_retrieve_a_user", |c| {
            async move { d(c.users().get("id-v", Some("blocks")).await) }.boxed()
        }),
        ("get_retrieve_a_user_grant", |c| {
            async move { d(c.grants().get("userId-v", "grantId-v", Some("scope")).await) }.boxed()
        }),
        ("get_retrieve_a_user_type", |c| {
            async move { d(c.user_types().get("typeId-v").await) }.boxed()
        }),
        ("get_retrieve_an_org_by_id", |c| {
            async move { d(aerial(&c).get_org("orgId-v").await) }.boxed()
        }),
        ("get_retrieve_the_org_details", |c| {
            async move { d(c.myaccount().organization().await) }.boxed()
        }),
        ("list_all_employees", |c| {
            async move {
                d(c.users()
                    .list(ListUsers::new().filter("status eq \"ACTIVE\""))
                    .try_collect::<Vec<_>>()
                    .await)
            }
            .boxed()
        }),
        ("post_activate_a_factor", |c| {
            async move {
                d(c.factors()
                    .activate(
                        "userId-v",
                        "factorId-v",
                        Some(FactorPasscode::pass_code("123456")),
                    )
                    .await)
            }
            .boxed()
        }),
        ("post_activate_group_rule", |c| {
            async move { c.group_rules().activate("groupRuleId-v").await }.boxed()
        }),
        ("post_activate_user", |c| {
            async move { d(c.users().activate("id-v", Some(false)).await) }.boxed()
        }),
        ("post_add_org_to_account", |c| {
            async move {
                let body = AddOrgBody {
                    org_id: Some("00o1".into()),
                    ..Default::default()
                };
                d(aerial(&c).add_org(&body).await)
            }
            .boxed()
        }),
        ("post_change_password", |c| {
            async move {
                let body = ChangePasswordBody {
                    old_password: Some(PasswordCredential::new("a")),
                    new_password: Some(PasswordCredential::new("b")),
                    ..Default::default()
                };
                d(c.users()
                    .change_password("userId-v", &body, Some(true))
                    .await)
            }
            .boxed()
        }),
        ("post_change_recovery_question", |c| {
            async move {
                let creds = UserCredentials {
                    password: Some(PasswordCredential::new("a")),
                    recovery_question: Some(RecoveryQuestionCredential::new("q", "answer")),
                    ..Default::default()
                };
                d(c.users().change_recovery_question("userId-v", &creds).await)
            }
            .boxed()
        }),
        ("post_create_a_group", |c| {
            async move { d(c.groups().create(&GroupBody::new("G", None)).await) }.boxed()
        }),
        ("post_create_a_group_rule", |c| {
            async move {
                d(c.group_rules()
                    .create(&GroupRule::new("r", "true", vec!["00g1".into()]))
                    .await)
            }
            .boxed()
        }),
        ("post_create_a_user", |c| {
            async move {
                let body = CreateUserBody {
                    profile: UserProfile::new().with("login", "a@b.co"),
                    ..Default::default()
                };
                d(c.users()
                    .create(
                        CreateUser::new(body)
                            .activate(true)
                            .provider(false)
                            .next_login("changePassword"),
                    )
                    .await)
            }
            .boxed()
        }),
        ("post_create_user_type", |c| {
            async move { d(c.user_types().create(&UserType::new("t", "T", None)).await) }.boxed()
        }),
        ("post_deactivate_group_rule", |c| {
            async move { c.group_rules().deactivate("groupRuleId-v").await }.boxed()
        }),
        ("post_deactivate_user", |c| {
            async move {
                c.users()
                    .deactivate(
                        "id-v",
                        DeactivateOptions {
                            send_email: Some(false),
                            respond_async: true,
                        },
                    )
                    .await
            }
            .boxed()
        }),
        ("post_enroll_a_factor", |c| {
            async move {
                let body = UserFactor::enroll(FactorType::Sms, FactorProvider::Okta, None);
                d(c.factors()
                    .enroll(
                        "userId-v",
                        EnrollFactor::new(body).activate(true).update_phone(true),
                    )
                    .await)
            }
            .boxed()
        }),
        ("post_expire_password", |c| {
            async move { d(c.users().expire_password("id-v").await) }.boxed()
        }),
        ("post_expire_password_and_set_temporary_password", |c| {
            async move {
                d(c.users()
                    .expire_password_with_temp_password("id-v", Some(false))
                    .await)
            }
            .boxed()
        }),
        ("post_generate_reset_password_token", |c| {
            async move { d(c.users().reset_password("id-v", false, Some(false)).await) }.boxed()
        }),
        ("post_initiate_forgot_password", |c| {
            async move { d(c.users().forgot_password("userId-v", Some(false)).await) }.boxed()
        }),
        ("post_reactivate_user", |c| {
            async move { d(c.users().reactivate("id-v", Some(false)).await) }.boxed()
        }),
        ("post_resend_factor_enrollment", |c| {
            async move {
                let body = UserFactor::enroll(FactorType::Sms, FactorProvider::Okta, None);
                d(c.factors()
                    .resend("userId-v", "factorId-v", &body, Some("tpl".into()))
                    .await)
            }
            .boxed()
        }),
        ("post_reset_all_factors", |c| {
            async move { c.users().reset_factors("id-v").await }.boxed()
        }),
        ("post_reset_password_with_recovery_question", |c| {
            async move {
                let creds = UserCredentials {
                    password: Some(PasswordCredential::new("new")),
                    recovery_question: Some(RecoveryQuestionCredential {
                        answer: Some("a".into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                };
                d(c.users()
                    .forgot_password_set_new_password("userId-v", &creds, Some(false))
                    .await)
            }
            .boxed()
        }),
        ("post_suspend_user", |c| {
            async move { c.users().suspend("id-v").await }.boxed()
        }),
        ("post_unlock_user", |c| {
            async move { c.users().unlock("id-v").await }.boxed()
        }),
        ("post_unsuspend_user", |c| {
            async move { c.users().unsuspend("id-v").await }.boxed()
        }),
        ("post_update_a_user", |c| {
            async move {
                let body = UpdateUserBody {
                    profile: Some(UserProfile::new().with("title", "CTO")),
                    ..Default::default()
                };
                let opts = UpdateOptions {
                    strict: Some(true),
                    if_match: Some("W/\"1\"".into()),
                };
                d(c.users().update("id-v", &body, opts).await)
            }
            .boxed()
        }),
        ("post_update_user_type", |c| {
            async move {
                d(c.user_types()
                    .update("typeId-v", &UserType::new("t", "T2", None))
                    .await)
            }
            .boxed()
        }),
        ("post_verify_a_factor", |c| {
            async move {
                let mut v = VerifyFactor::new(Some(FactorPasscode::pass_code("123456")));
                v.x_forwarded_for = Some("10.0.0.1".into());
                v.template_id = Some("tpl".into());
                d(c.factors().verify("userId-v", "factorId-v", v).await)
            }
            .boxed()
        }),
        ("put_assign_a_user_to_a_group", |c| {
            async move { c.groups().add_user("groupId-v", "userId-v").await }.boxed()
        }),
        ("put_change_status_of_org", |c| {
            async move { d(aerial(&c).set_org_status("orgId-v", "INACTIVE").await) }.boxed()
        }),
        ("put_replace_a_group", |c| {
            async move {
                d(c.groups()
                    .replace("groupId-v", &GroupBody::new("G2", Some("d".into())))
                    .await)
            }
            .boxed()
        }),
        ("put_replace_a_group_rule", |c| {
            async move {
                d(c.group_rules()
                    .replace(
                        "groupRuleId-v",
                        &GroupRule::new("r", "true", vec!["00g1".into()]),
                    )
                    .await)
            }
            .boxed()
        }),
        ("put_replace_a_user", |c| {
            async move {
                let body = UpdateUserBody {
                    profile: Some(UserProfile::new().with("login", "a@b.co")),
                    ..Default::default()
                };
                d(c.users()
                    .replace("id-v", &body, UpdateOptions::default())
                    .await)
            }
            .boxed()
        }),
        ("put_replace_linked_object_value_for_primary", |c| {
            async move {
                c.linked_objects()
                    .set_primary(
                        "userIdOrLogin-v",
                        "primaryRelationshipName-v",
                        "primaryUserId-v",
                    )
                    .await
            }
            .boxed()
        }),
        ("put_replace_user_type", |c| {
            async move {
                d(c.user_types()
                    .replace("typeId-v", &UserType::new("t", "T3", None))
                    .await)
            }
            .boxed()
        }),
        ("put_update_enabled_products_for_an_org", |c| {
            async move {
                let p = vec![AerialProduct {
                    id: "P000052".into(),
                    name: None,
                    extra: Default::default(),
                }];
                d(aerial(&c).set_products("orgId-v", &p).await)
            }
            .boxed()
        }),
        ("terminate_employee", |c| {
            async move {
                c.sessions().revoke_all("id-v", Some(true), None).await?;
                c.users()
                    .deactivate("id-v", DeactivateOptions::default())
                    .await?;
                c.users().delete("id-v", DeactivateOptions::default()).await
            }
            .boxed()
        }),
    ]
}

#[tokio::test]
async fn every_use_case_call_sends_the_documented_method_path_and_query() {
    let file = shared_dir().join("okta/use-cases.json");
    let Ok(text) = std::fs::read_to_string(&file) else {
        skip(
            "../shared/okta/use-cases.json",
            "set SPINDLE_SHARED_DIR to the shared reference directory",
        );
        return;
    };
    let cases: Vec<Value> = serde_json::from_str(&text).unwrap();
    let calls = calls();
    let mut problems = Vec::new();
    for uc in &cases {
        let id = uc["id"].as_str().unwrap_or_default();
        let Some((_, call)) = calls.iter().find(|(k, _)| *k == id) else {
            problems.push(format!("{id}: no client call"));
            continue;
        };
        let s = MockServer::start().await;
        let status = uc["success_status"].as_u64().unwrap_or(200) as u16;
        let array = uc["success_schema"]
            .as_str()
            .is_some_and(|x| x.starts_with("array"));
        let body = if status == 204 {
            ""
        } else if array {
            "[]"
        } else {
            "{}"
        };
        Mock::given(wiremock::matchers::any())
            .respond_with(ResponseTemplate::new(status).set_body_raw(body, "application/json"))
            .mount(&s)
            .await;
        let (c, _) = client(&s.uri());
        if let Err(e) = call(c).await {
            problems.push(format!("{id}: call failed: {e}"));
            continue;
        }
        let reqs = s.received_requests().await.unwrap_or_default();
        let method = uc["method"].as_str().unwrap_or_default();
        let mut expected = uc["path"].as_str().unwrap_or_default().to_owned();
        for p in uc["path_params"].as_array().into_iter().flatten() {
            let name = p["name"].as_str().unwrap_or_default();
            expected = expected.replace(&format!("{{{name}}}"), &format!("{name}-v"));
        }
        // terminate_employee chains three calls; the last is the documented one.
        let Some(last) = reqs.last() else {
            problems.push(format!("{id}: nothing sent"));
            continue;
        };
        if id != "terminate_employee" && reqs.len() != 1 {
            problems.push(format!("{id}: {} requests sent", reqs.len()));
        }
        if last.method.as_str() != method || last.url.path() != expected {
            problems.push(format!(
                "{id}: sent {} {}, documented {method} {expected}",
                last.method,
                last.url.path()
            ));
        }
        let documented: Vec<&str> = uc["query_params"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|q| q["name"].as_str())
            .collect();
        for (k, _) in last.url.query_pairs() {
            if !documented.contains(&k.as_ref()) {
                problems.push(format!("{id}: undocumented query parameter `{k}`"));
            }
        }
        for q in uc["query_params"].as_array().into_iter().flatten() {
            let name = q["name"].as_str().unwrap_or_default();
            if q["required"].as_bool() == Some(true)
                && !last.url.query_pairs().any(|(k, _)| k == name)
            {
                problems.push(format!("{id}: required query parameter `{name}` missing"));
            }
        }
        if uc["server"] == "myaccount" {
            let accept = last
                .headers
                .get("accept")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !accept.contains("okta-version=1.0.0") {
                problems.push(format!("{id}: Accept `{accept}` lacks okta-version"));
            }
        }
        if uc["request_body"].is_object() && last.body.is_empty() {
            problems.push(format!("{id}: no request body sent"));
        }
    }
    assert_eq!(cases.len(), 79, "use-cases.json changed size");
    assert!(
        problems.is_empty(),
        "{} problems:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
