//! Factors over raw HTTP: catalog, questions, enroll/activate/verify for sms, question, TOTP and
//! push (answered through the admin API), resend, unenroll, reset_factors.

use reqwest::Method;
use serde_json::{Value, json};

use crate::support::{Org, PW, start};

async fn code(org: &Org, uid: &str, fid: &str) -> String {
    let r = org
        .admin(
            Method::GET,
            &format!("/__emulator/users/{uid}/factors/{fid}/code"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["code"].as_str().unwrap_or_default().to_owned()
}

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn sms_and_question_factors_enroll_activate_verify() {
    let org = start().await;
    let u = org.user("f@example.com", Some(PW), true).await;
    let uid = id(&u);
    let base = format!("/api/v1/users/{uid}/factors");

    let q = org.get(&format!("{base}/questions")).await;
    assert_eq!(q.status, 200);
    assert_eq!(q.body[0]["question"], "disliked_food");
    let cat = org.get(&format!("{base}/catalog")).await;
    assert_eq!(cat.status, 200);
    assert!(cat.body.as_array().is_some_and(|a| {
        a.iter()
            .any(|f| f["factorType"] == "sms" && f["status"] == "NOT_SETUP")
    }));

    // SMS: pending, code via admin API, activate.
    let e = org
        .post(
            &base,
            json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+1 415 555 0100"}}),
        )
        .await;
    assert_eq!(e.status, 200, "{}", e.body);
    assert_eq!(e.body["status"], "PENDING_ACTIVATION");
    assert!(e.body["_links"]["activate"]["href"].is_string());
    let sms = id(&e.body);
    // A second sms is refused.
    let dup = org
        .post(
            &base,
            json!({"factorType": "sms", "provider": "OKTA", "profile": {"phoneNumber": "+1 415 555 0199"}}),
        )
        .await;
    assert_eq!(dup.status, 400);
    assert_eq!(dup.code(), "E0000001");

    let wrong = org
        .post(
            &format!("{base}/{sms}/lifecycle/activate"),
            json!({"passCode": "000000x"}),
        )
        .await;
    assert_eq!(wrong.status, 403);
    assert_eq!(wrong.code(), "E0000068");
    let c = code(&org, &uid, &sms).await;
    assert_eq!(c.len(), 6);
    let a = org
        .post(
            &format!("{base}/{sms}/lifecycle/activate"),
            json!({"passCode": c}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["status"], "ACTIVE");

    // The activation code went out just now: a new challenge is throttled (30 s per phone).
    let ch = org
        .call(Method::POST, &format!("{base}/{sms}/verify"), None)
        .await;
    assert_eq!(ch.status, 429, "{}", ch.body);
    assert_eq!(ch.code(), "E0000109");

    // Email with activate=true: ACTIVE at once; verify challenges, then takes the code once.
    let e = org
        .post(
            &format!("{base}?activate=true&tokenLifetimeSeconds=600"),
            json!({"factorType": "email", "provider": "OKTA", "profile": {"email": "f@example.com"}}),
        )
        .await;
    assert_eq!(e.status, 200, "{}", e.body);
    assert_eq!(e.body["status"], "ACTIVE");
    let em = id(&e.body);
    let ch = org
        .call(Method::POST, &format!("{base}/{em}/verify"), None)
        .await;
    assert_eq!(ch.status, 200, "{}", ch.body);
    assert_eq!(ch.body["factorResult"], "CHALLENGE");
    let bad_ttl = org
        .call(
            Method::POST,
            &format!("{base}/{em}/verify?tokenLifetimeSeconds=0"),
            None,
        )
        .await;
    assert_eq!(bad_ttl.status, 400, "{}", bad_ttl.body);
    let c = code(&org, &uid, &em).await;
    let ok = org
        .post(&format!("{base}/{em}/verify"), json!({"passCode": c}))
        .await;
    assert_eq!(ok.body["factorResult"], "SUCCESS", "{}", ok.body);
    let again = org
        .post(&format!("{base}/{em}/verify"), json!({"passCode": c}))
        .await;
    assert_eq!(again.status, 403);

    // Question: ACTIVE at once; answer checked.
    let e = org
        .post(
            &base,
            json!({"factorType": "question", "provider": "OKTA", "profile": {"question": "disliked_food", "answer": "mayonnaise"}}),
        )
        .await;
    assert_eq!(e.status, 200, "{}", e.body);
    assert_eq!(e.body["status"], "ACTIVE");
    let qid = id(&e.body);
    let bad = org
        .post(
            &format!("{base}/{qid}/verify"),
            json!({"answer": "ketchup"}),
        )
        .await;
    assert_eq!(bad.status, 403);
    assert_eq!(bad.code(), "E0000068");
    let good = org
        .post(
            &format!("{base}/{qid}/verify"),
            json!({"answer": "Mayonnaise"}),
        )
        .await;
    assert_eq!(good.body["factorResult"], "SUCCESS");

    let list = org.get(&base).await;
    assert_eq!(list.body.as_array().map(Vec::len), Some(3));
    let g = org.get(&format!("{base}/{qid}")).await;
    assert_eq!(g.body["factorType"], "question");

    let d = org.delete(&format!("{base}/{qid}")).await;
    assert_eq!(d.status, 204);
    assert_eq!(org.get(&format!("{base}/{qid}")).await.status, 404);

    // reset_factors removes them all.
    let r = org
        .call(
            Method::POST,
            &format!("/api/v1/users/{uid}/lifecycle/reset_factors"),
            None,
        )
        .await;
    assert_eq!(r.status, 200);
    let list = org.get(&base).await;
    assert_eq!(list.body, json!([]));
}

#[tokio::test]
async fn totp_and_push_factors() {
    let org = start().await;
    let u = org.user("p@example.com", Some(PW), true).await;
    let uid = id(&u);
    let base = format!("/api/v1/users/{uid}/factors");

    // TOTP: shared secret in the enrollment, code activates.
    let e = org
        .post(
            &base,
            json!({"factorType": "token:software:totp", "provider": "GOOGLE"}),
        )
        .await;
    assert_eq!(e.status, 200, "{}", e.body);
    let secret = e.body["_embedded"]["activation"]["sharedSecret"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let tid = id(&e.body);
    let a = org
        .post(
            &format!("{base}/{tid}/lifecycle/activate"),
            json!({"passCode": spindle_emulator::factors::TotpSecret::from_base32(&secret)
                .and_then(|t| t.code_at(now))
                .unwrap_or_default()}),
        )
        .await;
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(a.body["status"], "ACTIVE");

    // Push: activation waits for the (admin-answered) push.
    let e = org
        .post(&base, json!({"factorType": "push", "provider": "OKTA"}))
        .await;
    assert_eq!(e.status, 200, "{}", e.body);
    assert_eq!(e.body["status"], "PENDING_ACTIVATION");
    let pid = id(&e.body);
    let w = org
        .call(
            Method::POST,
            &format!("{base}/{pid}/lifecycle/activate"),
            None,
        )
        .await;
    assert_eq!(w.status, 200, "{}", w.body);
    assert_eq!(w.body["factorResult"], "WAITING");
    let ans = org
        .admin(
            Method::POST,
            &format!("/__emulator/users/{uid}/push"),
            Some(json!({"approve": true})),
        )
        .await;
    assert_eq!(ans.status, 200, "{}", ans.body);
    let a = org
        .call(
            Method::POST,
            &format!("{base}/{pid}/lifecycle/activate"),
            None,
        )
        .await;
    assert_eq!(a.body["status"], "ACTIVE", "{}", a.body);

    // Verify: 201 WAITING with a poll link; poll until answered.
    let v = org
        .call(Method::POST, &format!("{base}/{pid}/verify"), None)
        .await;
    assert_eq!(v.status, 201, "{}", v.body);
    assert_eq!(v.body["factorResult"], "WAITING");
    let poll = v.body["_links"]["poll"]["href"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let p = org.get(&poll).await;
    assert_eq!(p.body["factorResult"], "WAITING");
    org.admin(
        Method::POST,
        &format!("/__emulator/users/{uid}/push"),
        Some(json!({"approve": false})),
    )
    .await;
    let p = org.get(&poll).await;
    assert_eq!(p.status, 200);
    assert_eq!(p.body["factorResult"], "REJECTED");

    // Unknown factor type.
    let bad = org
        .post(
            &base,
            json!({"factorType": "carrier_pigeon", "provider": "OKTA"}),
        )
        .await;
    assert_eq!(bad.status, 400);
}
