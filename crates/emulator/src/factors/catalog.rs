//! Factor kinds Okta supports, the catalog a user sees, and Okta's security questions.
//!
//! Sources (BEHAVIOR §9): type/provider pairs from SPEC `UserFactorType`/`UserFactorProvider` and
//! FACTORS-OLD; enroll-to-ACTIVE vs PENDING_ACTIVATION from FACTORS-OLD examples and the
//! `activate` query parameter; id prefixes from recordings/docs (`mbl`/`sms` sms, `ostf` totp,
//! `ufs` question, `opf` push, `emf` email, `clf` call, `fuf` u2f, `fwf` webauthn, `ykf`
//! yubikey, `rsa` RSA). \[unconfirmed\] prefixes: `uft` Google totp, `sym` Symantec, `chf` hotp,
//! `dsf` Duo.
//!
//! The emulated org has every Okta-provided factor enabled plus Google Authenticator, RSA,
//! Symantec, YubiKey and FIDO (WebAuthn/U2F) — a superset of the spec's catalog example — all
//! `OPTIONAL` \[emulator choice: no enrollment policy is modelled\].

use serde_json::{Value, json};

/// How a newly enrolled factor becomes ACTIVE.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// ACTIVE at enrollment (`question`, RSA/Symantec `token`, YubiKey `token:hardware`).
    Immediate,
    /// PENDING_ACTIVATION until a `passCode` is posted (`sms`, `call`, `email`, TOTP); `sms`,
    /// `call` and `email` go straight to ACTIVE with `?activate=true`.
    Passcode {
        /// Whether `?activate=true` at enrollment skips activation.
        activate_param_skips: bool,
    },
    /// PENDING_ACTIVATION until the push is answered (polling the activate link).
    Push,
    /// PENDING_ACTIVATION until the attestation (`registrationData`/`attestation`) is posted.
    Attestation,
}

/// One supported `factorType`/`provider` pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactorKind {
    /// `factorType`, e.g. `token:software:totp`.
    pub factor_type: &'static str,
    /// `provider`, e.g. `OKTA`.
    pub provider: &'static str,
    /// `vendorName`.
    pub vendor_name: &'static str,
    /// Prefix of factor ids of this kind (`00u`-style ids are 20 characters).
    pub id_prefix: &'static str,
    /// How it becomes ACTIVE.
    pub activation: Activation,
}

const fn k(
    factor_type: &'static str,
    provider: &'static str,
    vendor_name: &'static str,
    id_prefix: &'static str,
    activation: Activation,
) -> FactorKind {
    FactorKind {
        factor_type,
        provider,
        vendor_name,
        id_prefix,
        activation,
    }
}

const OTP_SEND: Activation = Activation::Passcode {
    activate_param_skips: true,
};
const OTP_APP: Activation = Activation::Passcode {
    activate_param_skips: false,
};

/// Every factor kind the emulated org supports, in catalog order.
pub const FACTOR_KINDS: &[FactorKind] = &[
    k("question", "OKTA", "OKTA", "ufs", Activation::Immediate),
    k("token:software:totp", "OKTA", "OKTA", "ostf", OTP_APP),
    k("token:software:totp", "GOOGLE", "GOOGLE", "uft", OTP_APP),
    k("sms", "OKTA", "OKTA", "mbl", OTP_SEND),
    k("call", "OKTA", "OKTA", "clf", OTP_SEND),
    k("email", "OKTA", "OKTA", "emf", OTP_SEND),
    k("push", "OKTA", "OKTA", "opf", Activation::Push),
    k("token", "RSA", "RSA", "rsa", Activation::Immediate),
    k(
        "token",
        "SYMANTEC",
        "SYMANTEC",
        "sym",
        Activation::Immediate,
    ),
    k(
        "token:hardware",
        "YUBICO",
        "YUBICO",
        "ykf",
        Activation::Immediate,
    ),
    k("u2f", "FIDO", "FIDO", "fuf", Activation::Attestation),
    k("webauthn", "FIDO", "FIDO", "fwf", Activation::Attestation),
];

/// Looks up a kind; `provider` defaults to `OKTA` when absent (Okta's enroll default), except for
/// `webauthn`/`u2f`, whose only provider is `FIDO`.
pub fn find_kind(factor_type: &str, provider: Option<&str>) -> Option<&'static FactorKind> {
    let default_provider = match factor_type {
        "webauthn" | "u2f" => "FIDO",
        "token:hardware" => "YUBICO",
        _ => "OKTA",
    };
    let provider = provider.unwrap_or(default_provider);
    FACTOR_KINDS
        .iter()
        .find(|k| k.factor_type == factor_type && k.provider.eq_ignore_ascii_case(provider))
}

/// The status a factor gets at enrollment (`activate` = the `?activate=true` query parameter).
pub fn status_after_enroll(kind: &FactorKind, activate: bool) -> super::FactorStatus {
    use super::FactorStatus::{Active, PendingActivation};
    match kind.activation {
        Activation::Immediate => Active,
        Activation::Passcode {
            activate_param_skips: true,
        } if activate => Active,
        _ => PendingActivation,
    }
}

/// `GET /api/v1/users/{id}/factors/catalog`: one entry per kind with `enrollment: OPTIONAL`,
/// `status` (`ACTIVE`/`PENDING_ACTIVATION` when the user has it, else `NOT_SETUP`) and links.
/// `enrolled` gives `(factorType, provider, status)` of the user's factors.
pub fn catalog_json(org_url: &str, user_id: &str, enrolled: &[(&str, &str, &str)]) -> Value {
    let base = format!("{org_url}/api/v1/users/{user_id}/factors");
    let entries: Vec<Value> = FACTOR_KINDS
        .iter()
        .map(|kind| {
            let status = enrolled
                .iter()
                .find(|(t, p, _)| *t == kind.factor_type && *p == kind.provider)
                .map_or("NOT_SETUP", |(_, _, s)| *s);
            let mut links = json!({
                "enroll": {"href": base, "hints": {"allow": ["POST"]}}
            });
            if kind.factor_type == "question" {
                links["questions"] =
                    json!({"href": format!("{base}/questions"), "hints": {"allow": ["GET"]}});
            }
            json!({
                "factorType": kind.factor_type,
                "provider": kind.provider,
                "vendorName": kind.vendor_name,
                "enrollment": "OPTIONAL",
                "status": status,
                "_links": links,
            })
        })
        .collect();
    Value::Array(entries)
}

/// Okta's built-in security questions `(question, questionText)`, in Okta's order
/// (keys: SPEC `UserFactorSecurityQuestionProfile`; texts: the sign-in widget's strings).
pub const SECURITY_QUESTIONS: &[(&str, &str)] = &[
    (
        "disliked_food",
        "What is the food you least liked as a child?",
    ),
    (
        "name_of_first_plush_toy",
        "What is the name of your first stuffed animal?",
    ),
    (
        "first_award",
        "What did you earn your first medal or award for?",
    ),
    (
        "favorite_security_question",
        "What is your favorite security question?",
    ),
    (
        "favorite_toy",
        "What is the toy/stuffed animal you liked the most as a kid?",
    ),
    (
        "first_computer_game",
        "What was the first computer game you played?",
    ),
    ("favorite_movie_quote", "What is your favorite movie quote?"),
    (
        "first_sports_team_mascot",
        "What was the mascot of the first sports team you played on?",
    ),
    (
        "first_music_purchase",
        "What music album or song did you first purchase?",
    ),
    ("favorite_art_piece", "What is your favorite piece of art?"),
    (
        "grandmother_favorite_desert",
        "What was your grandmother's favorite dessert?",
    ),
    (
        "first_thing_cooked",
        "What was the first thing you learned to cook?",
    ),
    ("childhood_dream_job", "What was your dream job as a child?"),
    ("first_kiss_location", "Where did you have your first kiss?"),
    (
        "place_where_significant_other_was_met",
        "Where did you meet your spouse/significant other?",
    ),
    (
        "favorite_vacation_location",
        "Where did you go for your favorite vacation?",
    ),
    (
        "new_years_two_thousand",
        "Where were you on New Year's Eve in the year 2000?",
    ),
    (
        "favorite_speaker_actor",
        "Who is your favorite speaker/orator?",
    ),
    (
        "favorite_book_movie_character",
        "Who is your favorite book/movie character?",
    ),
    (
        "favorite_sports_player",
        "Who is your favorite sports player?",
    ),
];

/// `GET /api/v1/users/{id}/factors/questions`.
pub fn questions_json() -> Value {
    Value::Array(
        SECURITY_QUESTIONS
            .iter()
            .map(|(q, t)| json!({"question": q, "questionText": t}))
            .collect(),
    )
}

/// The text of a built-in question key.
pub fn question_text(key: &str) -> Option<&'static str> {
    SECURITY_QUESTIONS
        .iter()
        .find(|(q, _)| *q == key)
        .map(|(_, t)| *t)
}

#[cfg(test)]
mod tests {
    use super::super::FactorStatus;
    use super::*;

    #[test]
    fn catalog_lists_every_kind_with_enroll_links_and_the_users_status() {
        let c = catalog_json("https://o.okta.com", "00u1", &[("sms", "OKTA", "ACTIVE")]);
        let arr = c.as_array().cloned().unwrap_or_default();
        assert_eq!(arr.len(), FACTOR_KINDS.len());
        let sms = arr.iter().find(|e| e["factorType"] == "sms");
        assert_eq!(sms.map(|e| e["status"].clone()), Some(json!("ACTIVE")));
        assert_eq!(arr[0]["factorType"], "question");
        assert_eq!(
            arr[0]["_links"]["questions"]["href"],
            "https://o.okta.com/api/v1/users/00u1/factors/questions"
        );
        assert!(arr.iter().all(|e| e["enrollment"] == "OPTIONAL"
            && e["_links"]["enroll"]["hints"]["allow"][0] == "POST"));
        assert_eq!(arr[1]["status"], "NOT_SETUP");
    }

    #[test]
    fn questions_are_oktas_twenty_in_order() {
        let q = questions_json();
        let arr = q.as_array().cloned().unwrap_or_default();
        assert_eq!(arr.len(), 20);
        assert_eq!(arr[0]["question"], "disliked_food");
        assert_eq!(
            arr[0]["questionText"],
            "What is the food you least liked as a child?"
        );
        assert_eq!(arr[19]["question"], "favorite_sports_player");
        assert_eq!(
            question_text("first_award"),
            Some("What did you earn your first medal or award for?")
        );
        assert_eq!(question_text("nope"), None);
    }

    #[test]
    fn enrollment_status_follows_the_kind_and_the_activate_parameter() {
        let kind = |t, p| find_kind(t, p).copied();
        let sms = kind("sms", None);
        let totp = kind("token:software:totp", Some("GOOGLE"));
        let question = kind("question", None);
        assert!(sms.is_some() && totp.is_some() && question.is_some());
        if let (Some(sms), Some(totp), Some(q)) = (sms, totp, question) {
            assert_eq!(
                status_after_enroll(&sms, false),
                FactorStatus::PendingActivation
            );
            assert_eq!(status_after_enroll(&sms, true), FactorStatus::Active);
            assert_eq!(
                status_after_enroll(&totp, true),
                FactorStatus::PendingActivation
            );
            assert_eq!(status_after_enroll(&q, false), FactorStatus::Active);
        }
        assert_eq!(kind("webauthn", None).map(|k| k.provider), Some("FIDO"));
        assert!(kind("token:software:totp", Some("DUO")).is_none());
        assert!(kind("carrier-pigeon", None).is_none());
    }
}
