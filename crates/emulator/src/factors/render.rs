//! The factor object as Okta returns it (enroll, get, list, activate).
//!
//! Shape from the recorded SMS factor (PENDING_ACTIVATION): `id, factorType, provider,
//! vendorName, status, created, lastUpdated, profile, _links{resend[{name}], activate, self,
//! user}`; ACTIVE factors carry `verify` (POST) and `self` (GET, DELETE) instead (FACTORS-OLD).
//! TOTP and push enrollments embed `_embedded.activation` (built by the caller, e.g.
//! [`super::TotpSecret::activation_json`] plus its `qrcode` link).

use serde_json::{Value, json};

use super::FactorStatus;
use super::lifecycle::{factor_href, okta_date};

/// What [`factor_json`] renders.
#[derive(Debug, Clone)]
pub struct FactorView<'a> {
    /// Factor id.
    pub id: &'a str,
    /// `factorType`.
    pub factor_type: &'a str,
    /// `provider`.
    pub provider: &'a str,
    /// `vendorName`.
    pub vendor_name: &'a str,
    /// Status.
    pub status: &'a FactorStatus,
    /// Creation time, Unix seconds.
    pub created: i64,
    /// Last update, Unix seconds.
    pub last_updated: i64,
    /// `profile` (`phoneNumber`, `email`, `question`/`questionText`, `credentialId`, …).
    pub profile: Value,
    /// `_embedded.activation`, for pending TOTP/push enrollments.
    pub activation: Option<Value>,
}

fn link(href: String, allow: &[&str]) -> Value {
    json!({"href": href, "hints": {"allow": allow}})
}

/// The factor JSON with the links valid for its status.
pub fn factor_json(org_url: &str, user_id: &str, f: &FactorView<'_>) -> Value {
    let href = factor_href(org_url, user_id, f.id);
    let user = link(format!("{org_url}/api/v1/users/{user_id}"), &["GET"]);
    let links = match f.status {
        FactorStatus::PendingActivation => {
            let mut l = json!({
                "activate": link(format!("{href}/lifecycle/activate"), &["POST"]),
                "self": link(href.clone(), &["GET"]),
                "user": user,
            });
            if matches!(f.factor_type, "sms" | "call" | "email") {
                let mut resend = link(format!("{href}/resend"), &["POST"]);
                resend["name"] = json!(f.factor_type);
                l["resend"] = json!([resend]);
            }
            l
        }
        FactorStatus::Active => json!({
            "verify": link(format!("{href}/verify"), &["POST"]),
            "self": link(href.clone(), &["GET", "DELETE"]),
            "user": user,
        }),
        _ => json!({
            "self": link(href.clone(), &["GET", "DELETE"]),
            "user": user,
        }),
    };
    let mut v = json!({
        "id": f.id,
        "factorType": f.factor_type,
        "provider": f.provider,
        "vendorName": f.vendor_name,
        "status": f.status.as_str(),
        "created": okta_date(f.created),
        "lastUpdated": okta_date(f.last_updated),
        "profile": f.profile,
        "_links": links,
    });
    if let (Some(a), Some(m)) = (&f.activation, v.as_object_mut()) {
        m.insert("_embedded".into(), json!({"activation": a}));
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PENDING_ACTIVATION sms factor okta-sdk-python recorded against a real org, read from
    /// the shared reference folder at run time.
    fn recorded_sms_factor() -> Option<Value> {
        let dir = std::env::var("SPINDLE_SHARED_DIR")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared").into());
        let path = std::path::Path::new(&dir).join(
            "okta/recordings/okta-sdk-python/test_factors_it/TestFactorsResource.test_delete_factor.yaml",
        );
        let Ok(text) = std::fs::read_to_string(&path) else {
            let msg = format!(
                "missing {}: set SPINDLE_SHARED_DIR to the shared reference folder",
                path.display()
            );
            assert!(
                std::env::var("SPINDLE_NO_SKIP").as_deref() != Ok("1"),
                "{msg}"
            );
            eprintln!("skipped: {msg}");
            return None;
        };
        let line = text
            .lines()
            .map(str::trim)
            .find(|l| l.starts_with("string: '{\"id\":\"mbl"));
        let body = line
            .and_then(|l| l.strip_prefix("string: '"))
            .and_then(|l| l.strip_suffix('\''));
        match body.map(serde_json::from_str::<Value>) {
            Some(Ok(v)) => Some(v),
            _ => panic!("no sms factor body found in {}", path.display()),
        }
    }

    #[test]
    fn a_pending_sms_factor_matches_the_recorded_shape() {
        let status = FactorStatus::PendingActivation;
        let v = factor_json(
            "https://test.okta.com",
            "00usfahhrdlPEHV1g4x6",
            &FactorView {
                id: "mblsfdsyb1P5k0Kr54x6",
                factor_type: "sms",
                provider: "OKTA",
                vendor_name: "OKTA",
                status: &status,
                created: 1_598_552_141,
                last_updated: 1_598_552_141,
                profile: json!({"phoneNumber": "+12345678901"}),
                activation: None,
            },
        );
        let Some(recorded) = recorded_sms_factor() else {
            return;
        };
        assert_eq!(v, recorded);
    }

    #[test]
    fn an_active_factor_links_to_verify_and_embeds_no_activation() {
        let status = FactorStatus::Active;
        let v = factor_json(
            "https://o",
            "00u1",
            &FactorView {
                id: "ostf1",
                factor_type: "token:software:totp",
                provider: "OKTA",
                vendor_name: "OKTA",
                status: &status,
                created: 0,
                last_updated: 0,
                profile: json!({"credentialId": "a@x"}),
                activation: None,
            },
        );
        assert_eq!(
            v["_links"]["verify"]["href"],
            "https://o/api/v1/users/00u1/factors/ostf1/verify"
        );
        assert!(v["_links"].get("activate").is_none());
        assert!(v.get("_embedded").is_none());
    }
}
