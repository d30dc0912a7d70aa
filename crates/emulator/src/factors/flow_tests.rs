//! Tests of the factor flows: enroll, activate, verify, resend.

use serde_json::json;

use super::catalog::FactorKind;
use super::flow::*;
use super::{FactorError, FactorLimits, FactorStatus, PushTransactions, find_kind};

struct Org {
    limits: FactorLimits,
    pushes: PushTransactions,
}

impl Org {
    fn ctx<'a>(&'a mut self, ids: (&'a str, &'a str), now: i64) -> FlowCtx<'a> {
        FlowCtx {
            user_id: ids.0,
            factor_id: ids.1,
            limits: &mut self.limits,
            pushes: &mut self.pushes,
            now,
        }
    }
}

fn org() -> Org {
    Org {
        limits: FactorLimits::default(),
        pushes: PushTransactions::new(),
    }
}

fn kind(t: &str) -> FactorKind {
    match find_kind(t, None) {
        Some(k) => *k,
        None => panic!("no kind {t}"),
    }
}

fn code_of(s: &FactorSecrets) -> String {
    outstanding_code(s, 0).unwrap_or_default().to_owned()
}

#[test]
fn sms_enroll_sends_a_code_that_activates_once_and_verify_challenges_then_succeeds() {
    let mut o = org();
    let k = kind("sms");
    let e = enroll(
        &k,
        &json!({"phoneNumber": "+1 415 555 0100"}),
        None,
        false,
        "a@x",
        &mut o.limits,
        0,
    );
    let Ok(mut e) = e else { panic!("{e:?}") };
    assert_eq!(e.status, FactorStatus::PendingActivation);
    assert_eq!(e.profile, json!({"phoneNumber": "+14155550100"}));
    let code = code_of(&e.secrets);
    assert_eq!(code.len(), 6);
    let ids = ("00u1", "mbl1");
    let wrong = FactorInput {
        pass_code: Some("12345x"),
        ..Default::default()
    };
    let act = |s: &mut FactorSecrets, o: &mut Org, input: &FactorInput<'_>, now| {
        activate(
            &k,
            &FactorStatus::PendingActivation,
            s,
            input,
            &mut o.ctx(ids, now),
        )
    };
    assert_eq!(
        act(&mut e.secrets, &mut o, &wrong, 1),
        Err(FactorError::InvalidPasscode)
    );
    let right = FactorInput {
        pass_code: Some(&code),
        ..Default::default()
    };
    assert_eq!(act(&mut e.secrets, &mut o, &right, 2), Ok(Outcome::Success));
    // Verify: no passCode sends a new code (after the 30 s SMS throttle).
    let active = FactorStatus::Active;
    let ver = |s: &mut FactorSecrets, o: &mut Org, input: &FactorInput<'_>, now| {
        verify(&active, s, input, &mut o.ctx(ids, now))
    };
    let empty = FactorInput::default();
    assert_eq!(
        ver(&mut e.secrets, &mut o, &empty, 10),
        Err(FactorError::SmsRecentlySent)
    );
    assert_eq!(
        ver(&mut e.secrets, &mut o, &empty, 40),
        Ok(Outcome::Challenge { nonce: None })
    );
    let code2 = outstanding_code(&e.secrets, 41)
        .unwrap_or_default()
        .to_owned();
    let with = FactorInput {
        pass_code: Some(&code2),
        ..Default::default()
    };
    assert_eq!(ver(&mut e.secrets, &mut o, &with, 41), Ok(Outcome::Success));
    assert_eq!(
        ver(&mut e.secrets, &mut o, &with, 42),
        Err(FactorError::InvalidPasscode),
        "codes are single-use"
    );
}

#[test]
fn the_sixth_activation_attempt_in_five_minutes_is_rate_limited() {
    let mut o = org();
    let k = kind("email");
    let Ok(mut e) = enroll(
        &k,
        &json!({"email": "a@x.com"}),
        Some(600),
        false,
        "a@x",
        &mut o.limits,
        0,
    ) else {
        panic!("enroll failed")
    };
    let wrong = FactorInput {
        pass_code: Some("000000x"),
        ..Default::default()
    };
    let pending = FactorStatus::PendingActivation;
    for i in 0..5 {
        let r = activate(
            &k,
            &pending,
            &mut e.secrets,
            &wrong,
            &mut o.ctx(("00u1", "emf1"), i),
        );
        assert_eq!(r, Err(FactorError::InvalidPasscode));
    }
    let r = activate(
        &k,
        &pending,
        &mut e.secrets,
        &wrong,
        &mut o.ctx(("00u1", "emf1"), 6),
    );
    assert_eq!(r, Err(FactorError::RateLimited));
    assert_eq!(
        resend(&pending, &mut e.secrets, &mut o.ctx(("00u1", "emf1"), 400)),
        Err(FactorError::RateLimited)
    );
}

#[test]
fn totp_activates_and_verifies_with_codes_from_the_enrolled_secret() {
    let mut o = org();
    let k = kind("token:software:totp");
    let Ok(mut e) = enroll(&k, &json!({}), None, false, "a@x", &mut o.limits, 0) else {
        panic!("enroll failed")
    };
    assert_eq!(e.profile, json!({"credentialId": "a@x"}));
    let FactorSecrets::Totp { secret, .. } = &e.secrets else {
        panic!("not totp")
    };
    let now = 1_700_000_000;
    let c1 = secret.code_at(now as u64).unwrap_or_default();
    let c2 = secret.code_at(now as u64 + 30).unwrap_or_default();
    let ids = ("00u1", "ostf1");
    let input = FactorInput {
        pass_code: Some(&c1),
        ..Default::default()
    };
    let pending = FactorStatus::PendingActivation;
    assert_eq!(
        activate(&k, &pending, &mut e.secrets, &input, &mut o.ctx(ids, now)),
        Ok(Outcome::Success)
    );
    let active = FactorStatus::Active;
    assert_eq!(
        verify(&active, &mut e.secrets, &input, &mut o.ctx(ids, now)),
        Err(FactorError::PasscodeReplayed)
    );
    let next = FactorInput {
        pass_code: Some(&c2),
        ..Default::default()
    };
    assert_eq!(
        verify(&active, &mut e.secrets, &next, &mut o.ctx(ids, now + 30)),
        Ok(Outcome::Success)
    );
}

#[test]
fn push_activation_and_verify_wait_for_an_answer() {
    let mut o = org();
    let k = kind("push");
    let Ok(mut e) = enroll(&k, &json!({}), None, false, "a@x", &mut o.limits, 0) else {
        panic!("enroll failed")
    };
    let ids = ("00u1", "opf1");
    let pending = FactorStatus::PendingActivation;
    let none = FactorInput::default();
    // Polling many times doesn't hit the activation limit.
    let mut tx_id = String::new();
    for i in 0..8 {
        match activate(&k, &pending, &mut e.secrets, &none, &mut o.ctx(ids, i)) {
            Ok(Outcome::Waiting(tx)) => tx_id = tx.id,
            other => panic!("{other:?}"),
        }
    }
    if let Some(tx) = o.pushes.get_mut(&tx_id) {
        assert_eq!(tx.answer(true, 9), Ok(()));
    }
    assert_eq!(
        activate(&k, &pending, &mut e.secrets, &none, &mut o.ctx(ids, 10)),
        Ok(Outcome::Success)
    );
    let active = FactorStatus::Active;
    let nmc = FactorInput {
        number_matching: true,
        ..Default::default()
    };
    match verify(&active, &mut e.secrets, &nmc, &mut o.ctx(ids, 20)) {
        Ok(Outcome::Waiting(tx)) => assert!(tx.correct_answer.is_some()),
        other => panic!("{other:?}"),
    }
}

#[test]
fn questions_verify_answers_and_reject_short_ones_at_enrollment() {
    let mut o = org();
    let k = kind("question");
    let short = enroll(
        &k,
        &json!({"question": "disliked_food", "answer": "pie"}),
        None,
        false,
        "a@x",
        &mut o.limits,
        0,
    );
    assert_eq!(short.err(), Some(FactorError::AnswerTooShort));
    let Ok(mut e) = enroll(
        &k,
        &json!({"question": "disliked_food", "answer": "Broccoli"}),
        None,
        false,
        "a@x",
        &mut o.limits,
        0,
    ) else {
        panic!("enroll failed")
    };
    assert_eq!(e.status, FactorStatus::Active);
    assert_eq!(
        e.profile["questionText"],
        "What is the food you least liked as a child?"
    );
    assert!(!format!("{:?}", e.secrets).contains("Broccoli"));
    let active = FactorStatus::Active;
    let ids = ("00u1", "ufs1");
    let good = FactorInput {
        answer: Some("broccoli "),
        ..Default::default()
    };
    let bad = FactorInput {
        answer: Some("spinach"),
        ..Default::default()
    };
    assert_eq!(
        verify(&active, &mut e.secrets, &good, &mut o.ctx(ids, 1)),
        Ok(Outcome::Success)
    );
    assert_eq!(
        verify(&active, &mut e.secrets, &bad, &mut o.ctx(ids, 1)),
        Err(FactorError::InvalidAnswer)
    );
    let pending = FactorStatus::PendingActivation;
    assert_eq!(
        verify(&pending, &mut e.secrets, &good, &mut o.ctx(ids, 1)),
        Err(FactorError::NotActive)
    );
}
