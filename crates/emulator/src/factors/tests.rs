//! Tests of factor statuses, push transactions, enrollment checks and error mapping.

use super::lifecycle::{PUSH_TTL_SECS, challenge_json, okta_date};
use super::*;

const ORG: &str = "https://acme.okta.com";

#[test]
fn pending_factors_activate_once_and_only_active_ones_verify() {
    let pending = FactorStatus::PendingActivation;
    assert_eq!(pending.activate(), Ok(FactorStatus::Active));
    assert_eq!(pending.check_verifiable(), Err(FactorError::NotActive));
    assert_eq!(
        FactorStatus::Active.activate(),
        Err(FactorError::NotPendingActivation)
    );
    assert_eq!(FactorStatus::Active.check_verifiable(), Ok(()));
    assert_eq!(FactorStatus::parse("PENDING_ACTIVATION"), pending);
    assert_eq!(FactorStatus::parse("WEIRD").as_str(), "WEIRD");
}

#[test]
fn a_push_waits_then_succeeds_when_approved() {
    let mut txs = PushTransactions::new();
    let tx = txs.start("00u1", "opf1", 1000, false);
    assert!(tx.id.starts_with("v2mst."));
    let body = tx.poll_json(ORG, "ada@example.com", 1001);
    assert_eq!(body["factorResult"], "WAITING");
    assert_eq!(body["expiresAt"], okta_date(1000 + PUSH_TTL_SECS));
    let poll = format!(
        "{ORG}/api/v1/users/00u1/factors/opf1/transactions/{}",
        tx.id
    );
    assert_eq!(body["_links"]["poll"]["href"], poll.as_str());
    assert_eq!(body["_links"]["cancel"]["hints"]["allow"][0], "DELETE");
    assert!(body.get("_embedded").is_none());

    let waiting = txs.latest_waiting("00u1", 1002).map(|t| t.id.clone());
    assert_eq!(waiting.as_deref(), Some(tx.id.as_str()));
    if let Some(t) = txs.get_mut(&tx.id) {
        assert_eq!(t.answer(true, 1003), Ok(()));
        assert_eq!(
            t.answer(false, 1004),
            Err(FactorError::TransactionNotWaiting)
        );
    }
    let done = txs
        .get("00u1", "opf1", &tx.id)
        .map(|t| t.poll_json(ORG, "ada@example.com", 1005));
    assert_eq!(done, Some(serde_json::json!({"factorResult": "SUCCESS"})));
    // Another user's or factor's path doesn't reach it.
    assert!(txs.get("00u2", "opf1", &tx.id).is_none());
}

#[test]
fn an_unanswered_push_times_out_and_a_rejected_one_links_back_to_verify() {
    let mut txs = PushTransactions::new();
    let tx = txs.start("00u1", "opf1", 0, true);
    let n = tx.correct_answer.unwrap_or_default();
    assert!((10..=99).contains(&n));
    let body = tx.poll_json(ORG, "a@x", 1);
    assert_eq!(body["_embedded"]["challenge"]["correctAnswer"], n);
    assert_eq!(tx.result(PUSH_TTL_SECS), FactorResult::Timeout);
    let timeout = tx.poll_json(ORG, "a@x", PUSH_TTL_SECS);
    assert_eq!(timeout["factorResult"], "TIMEOUT");
    assert_eq!(
        timeout["_links"]["verify"]["href"],
        format!("{ORG}/api/v1/users/00u1/factors/opf1/verify").as_str()
    );
    let mut tx2 = txs.start("00u1", "opf1", 0, false);
    assert_eq!(
        tx2.answer(true, PUSH_TTL_SECS),
        Err(FactorError::TransactionNotWaiting)
    );
    let mut tx3 = txs.start("00u1", "opf1", 0, false);
    assert_eq!(tx3.answer(false, 5), Ok(()));
    assert_eq!(tx3.poll_json(ORG, "a@x", 6)["factorResult"], "REJECTED");
    tx2.cancel(1);
    assert_eq!(tx2.result(2), FactorResult::Cancelled);
    txs.remove_factor("opf1");
    assert!(txs.get("00u1", "opf1", &tx.id).is_none());
}

#[test]
fn challenge_bodies_carry_verify_and_factor_links() {
    let c = challenge_json(
        ORG,
        "00u1",
        "sms1",
        Some(serde_json::json!({"phoneNumber": "+14155550100"})),
    );
    assert_eq!(c["factorResult"], "CHALLENGE");
    assert_eq!(c["profile"]["phoneNumber"], "+14155550100");
    assert_eq!(c["_links"]["verify"]["hints"]["allow"][0], "POST");
    assert_eq!(
        c["_links"]["factor"]["href"],
        format!("{ORG}/api/v1/users/00u1/factors/sms1").as_str()
    );
    assert!(
        challenge_json(ORG, "00u1", "emf1", None)
            .get("profile")
            .is_none()
    );
    assert_eq!(okta_date(0), "1970-01-01T00:00:00.000Z");
}

#[test]
fn enrollment_checks_follow_oktas_rules() {
    assert_eq!(validate_question("disliked_food", "mayonnaise"), Ok(()));
    assert_eq!(
        validate_question("disliked_food", "abc"),
        Err(FactorError::AnswerTooShort)
    );
    assert_eq!(
        validate_question("pet_name", "fluffy"),
        Err(FactorError::InvalidField("question"))
    );
    assert!(answer_matches("Mayonnaise", " mayonnaise "));
    assert!(!answer_matches("mayonnaise", "ketchup"));
    assert_eq!(
        validate_phone("+1 (415) 555-0100"),
        Ok("+14155550100".to_owned())
    );
    assert!(validate_phone("4155550100").is_err());
    assert!(validate_phone("+1abc").is_err());
    assert_eq!(token_lifetime(None), Ok(300));
    assert_eq!(token_lifetime(Some(86_400)), Ok(86_400));
    assert!(token_lifetime(Some(0)).is_err());
    let sms = find_kind("sms", None).copied();
    let call = find_kind("call", None).copied();
    if let (Some(sms), Some(call)) = (sms, call) {
        assert_eq!(check_not_enrolled(&sms, &[("call", "OKTA")]), Ok(()));
        assert_eq!(
            check_not_enrolled(&sms, &[("sms", "OKTA")]),
            Err(FactorError::PhoneAlreadyEnrolled)
        );
        assert_eq!(
            check_not_enrolled(&call, &[("call", "OKTA")]),
            Err(FactorError::AlreadyEnrolled)
        );
    } else {
        panic!("sms/call kinds missing");
    }
}

#[test]
fn errors_map_to_oktas_codes_and_texts() {
    let e = FactorError::InvalidPasscode.okta();
    assert_eq!(
        (e.status, e.code, e.summary.as_str()),
        (403, "E0000068", "Invalid Passcode/Answer")
    );
    assert_eq!(
        e.causes,
        vec!["Your passcode doesn't match our records. Please try again."]
    );
    assert_eq!(
        FactorError::InvalidAnswer.okta().causes,
        vec!["Your answer doesn't match our records. Please try again."]
    );
    assert_eq!(FactorError::RateLimited.okta().code, "E0000047");
    assert_eq!(FactorError::RateLimited.okta().status, 429);
    assert_eq!(FactorError::SmsRecentlySent.okta().code, "E0000109");
    assert_eq!(FactorError::CallRecentlyMade.okta().code, "E0000133");
    assert_eq!(FactorError::EmailRecentlySent.okta().code, "E0000118");
    assert_eq!(FactorError::PasscodeReplayed.okta().code, "E0000082");
    let dup = FactorError::PhoneAlreadyEnrolled.okta();
    assert_eq!(dup.summary, "Api validation failed: factorEnrollRequest");
    assert_eq!(
        dup.causes,
        vec!["There is an existing verified phone number."]
    );
}
