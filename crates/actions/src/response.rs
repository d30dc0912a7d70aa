//! What an action outputs, given Okta's answer: the other half of `execute`.
//!
//! - An Okta object is output as Okta sent it (nothing dropped), after checking it has the shape
//!   of the action's output type.
//! - A list is output as a page, `{"items": [...], "next": "..."}`, `next` being the `after`
//!   cursor of the `Link: rel="next"` header (for employees, an opaque [`EmployeeCursor`] and the
//!   users mapped to [`crate::hris::Employee`]).
//! - A call Okta answers without a body (204, 202 or `{}`) is output as the structured result of
//!   [`crate::models::results`], built from the input.

use serde_json::{Value, json};

use crate::actions::ValidInput;
use crate::hris::{Employee, EmployeeCursor};
use crate::models::results::*;

/// Okta's answer to an action's request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OktaResponse {
    /// The response body; `Value::Null` when there was none.
    pub body: Value,
    /// The `after` cursor of the `Link: rel="next"` header, if any.
    pub next: Option<String>,
    /// For `delete_a_user`: the user's status before the call (execute reads it first), which
    /// tells a deactivation from a deletion.
    pub status_before: Option<String>,
}

/// Why Okta's answer could not become the action's output.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// The body does not have the expected shape.
    #[error("Okta's response does not have the expected shape: {0}")]
    Shape(String),
    /// The action takes several Okta calls and has no single response (`terminate_employee`).
    #[error("`{0}` takes several Okta calls; use its termination plan")]
    MultiStep(&'static str),
}

fn result(value: impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

fn text(value: &Value, key: &str) -> Option<String> {
    value.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn revoked(what: &str, user_id: &str) -> Revoked {
    Revoked {
        revoked: true,
        what: what.to_owned(),
        user_id: user_id.to_owned(),
        client_id: None,
        grant_id: None,
        token_id: None,
        oauth_tokens: None,
    }
}

fn status_changed(user_id: &str, status: &str) -> Value {
    result(UserStatusChanged {
        user_id: user_id.to_owned(),
        status: status.to_owned(),
    })
}

impl ValidInput {
    /// The action's output for Okta's `response`.
    ///
    /// # Errors
    ///
    /// [`OutputError::Shape`] when Okta's body does not have the expected shape (e.g. a user
    /// whose `id` is a number), [`OutputError::MultiStep`] for `terminate_employee`.
    pub fn output(&self, response: OktaResponse) -> Result<Value, OutputError> {
        let OktaResponse {
            body,
            next,
            status_before,
        } = response;
        let output = match self {
            Self::TerminateEmployee(_) => return Err(OutputError::MultiStep(self.action_id())),
            Self::ListEmployees(_) => {
                let Value::Array(users) = body else {
                    return Err(OutputError::Shape("expected an array of users".into()));
                };
                let items = users
                    .iter()
                    .map(Employee::from_okta_user)
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| OutputError::Shape(e.to_string()))?;
                let next = next.map(|after| EmployeeCursor { after }.encode());
                let mut page = json!({ "items": items });
                if let Some(next) = next {
                    page["next"] = json!(next);
                }
                page
            }
            Self::DeleteGroup(i) => result(GroupDeleted {
                deleted: true,
                group_id: i.group_id.to_string(),
            }),
            Self::DeleteUser(i) => {
                let deleted = status_before.as_deref() == Some("DEPROVISIONED");
                result(UserDeleted {
                    user_id: i.id.to_string(),
                    deleted,
                    status: (!deleted).then(|| "DEPROVISIONED".to_owned()),
                })
            }
            Self::DeleteGroupRule(i) => result(GroupRuleDeleted {
                deleted: true,
                group_rule_id: i.group_rule_id.to_string(),
                users_removed: i.remove_users,
            }),
            Self::ActivateGroupRule(i) => result(GroupRuleStatusChanged {
                group_rule_id: i.group_rule_id.to_string(),
                status: "ACTIVE".into(),
            }),
            Self::DeactivateGroupRule(i) => result(GroupRuleStatusChanged {
                group_rule_id: i.group_rule_id.to_string(),
                status: "INACTIVE".into(),
            }),
            Self::AssignUserToGroup(i) => result(Membership {
                group_id: i.group_id.to_string(),
                user_id: i.user_id.to_string(),
                member: true,
            }),
            Self::UnassignUserFromGroup(i) => result(Membership {
                group_id: i.group_id.to_string(),
                user_id: i.user_id.to_string(),
                member: false,
            }),
            Self::ClearLinkedObject(i) => result(LinkChanged {
                user_id_or_login: i.user_id_or_login.to_string(),
                relationship_name: i.relationship_name.to_string(),
                primary_user_id: None,
                linked: false,
            }),
            Self::SetLinkedObject(i) => result(LinkChanged {
                user_id_or_login: i.user_id_or_login.to_string(),
                relationship_name: i.primary_relationship_name.to_string(),
                primary_user_id: Some(i.primary_user_id.to_string()),
                linked: true,
            }),
            Self::RevokeClientGrants(i) => result(Revoked {
                client_id: Some(i.client_id.to_string()),
                ..revoked("grants", &i.user_id)
            }),
            Self::RevokeUserGrants(i) => result(revoked("grants", &i.user_id)),
            Self::RevokeUserGrant(i) => result(Revoked {
                grant_id: Some(i.grant_id.to_string()),
                ..revoked("grant", &i.user_id)
            }),
            Self::RevokeClientRefreshTokens(i) => result(Revoked {
                client_id: Some(i.client_id.to_string()),
                ..revoked("refreshTokens", &i.user_id)
            }),
            Self::RevokeRefreshToken(i) => result(Revoked {
                client_id: Some(i.client_id.to_string()),
                token_id: Some(i.token_id.to_string()),
                ..revoked("refreshToken", &i.user_id)
            }),
            Self::RevokeUserSessions(i) => result(Revoked {
                oauth_tokens: Some(i.oauth_tokens),
                ..revoked("sessions", &i.user_id)
            }),
            Self::UnenrollFactor(i) => result(FactorUnenrolled {
                unenrolled: true,
                user_id: i.user_id.to_string(),
                factor_id: i.factor_id.to_string(),
            }),
            Self::DeleteUserType(i) => result(UserTypeDeleted {
                deleted: true,
                type_id: i.type_id.to_string(),
            }),
            Self::DeactivateUser(i) => status_changed(&i.id, "DEPROVISIONED"),
            Self::SuspendUser(i) => status_changed(&i.id, "SUSPENDED"),
            Self::UnsuspendUser(i) => status_changed(&i.id, "ACTIVE"),
            Self::UnlockUser(i) => status_changed(&i.id, "ACTIVE"),
            Self::ResetFactors(i) => result(FactorsReset {
                user_id: i.id.to_string(),
                factors_reset: true,
            }),
            Self::ActivateUser(_) | Self::ReactivateUser(_) => {
                let user_id = match self {
                    Self::ActivateUser(i) => i.id.to_string(),
                    Self::ReactivateUser(i) => i.id.to_string(),
                    _ => String::new(),
                };
                let activation_url = text(&body, "activationUrl");
                result(Activation {
                    user_id,
                    email_sent: activation_url.is_none(),
                    activation_url,
                    activation_token: text(&body, "activationToken"),
                })
            }
            Self::ResetPassword(_) | Self::ForgotPassword(_) => {
                let user_id = match self {
                    Self::ResetPassword(i) => i.id.to_string(),
                    Self::ForgotPassword(i) => i.user_id.to_string(),
                    _ => String::new(),
                };
                let reset_password_url = text(&body, "resetPasswordUrl");
                result(PasswordReset {
                    user_id,
                    email_sent: reset_password_url.is_none(),
                    reset_password_url,
                })
            }
            // Everything else returns an Okta object or a list of them, output as sent.
            _ => match body {
                Value::Array(items) => {
                    let mut page = json!({ "items": items });
                    if let Some(next) = next {
                        page["next"] = json!(next);
                    }
                    page
                }
                Value::Object(object) => Value::Object(object),
                other => {
                    return Err(OutputError::Shape(format!(
                        "expected a JSON object or array, got {}",
                        match other {
                            Value::Null => "no body",
                            Value::String(_) => "a string",
                            _ => "a scalar",
                        }
                    )));
                }
            },
        };
        self.check_output_shape(&output)
            .map_err(OutputError::Shape)?;
        Ok(output)
    }
}
