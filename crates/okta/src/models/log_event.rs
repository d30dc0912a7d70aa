//! System Log events (`GET /api/v1/logs`).
//!
//! Every object keeps the fields it does not model in `extra`. Okta sends many of these
//! fields as explicit `null`; they decode as `None`.

use serde::{Deserialize, Serialize};

use super::{JsonMap, string_enum};

/// Defines a System Log object whose fields are all optional, with `extra`.
macro_rules! log_object {
    ($(#[$m:meta])* $name:ident { $($(#[$fm:meta])* $field:ident : $ty:ty = $key:literal,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        pub struct $name {
            $(
                $(#[$fm])*
                #[serde(default, rename = $key, skip_serializing_if = "Option::is_none")]
                pub $field: Option<$ty>,
            )*
            /// Fields not modelled above.
            #[serde(flatten)]
            pub extra: JsonMap,
        }
    };
}

string_enum! {
    /// How severe an event is.
    LogSeverity {
        Debug = "DEBUG",
        Info = "INFO",
        Warn = "WARN",
        Error = "ERROR",
    }
}

string_enum! {
    /// Result of the action an event records.
    LogOutcomeResult {
        Success = "SUCCESS",
        Failure = "FAILURE",
        Skipped = "SKIPPED",
        Allow = "ALLOW",
        Deny = "DENY",
        Challenge = "CHALLENGE",
        Indeterminate = "UNKNOWN",
        RateLimit = "RATE_LIMIT",
        Deferred = "DEFERRED",
        Scheduled = "SCHEDULED",
        Abandoned = "ABANDONED",
        Unanswered = "UNANSWERED",
    }
}

log_object! {
    /// Who performed the action (a user, an app, a client).
    LogActor {
        /// Id of the actor.
        id: String = "id",
        /// Kind of actor (`User`, `PublicClientApp`, ...).
        actor_type: String = "type",
        /// Alternative id (a login, an app name).
        alternate_id: String = "alternateId",
        /// Display name.
        display_name: String = "displayName",
        /// Further details.
        detail_entry: JsonMap = "detailEntry",
    }
}

log_object! {
    /// What the action was performed on (a user, a group, an app, ...).
    LogTarget {
        /// Id of the target (`00u...` for a `User`, `00g...` for a `UserGroup`).
        id: String = "id",
        /// Kind of target (`User`, `UserGroup`, `AppInstance`, ...).
        target_type: String = "type",
        /// Alternative id (a user's login, a group's name).
        alternate_id: String = "alternateId",
        /// Display name.
        display_name: String = "displayName",
        /// Further details.
        detail_entry: JsonMap = "detailEntry",
        /// Properties before (`from`) and after (`to`) the change, for some event types.
        change_details: JsonMap = "changeDetails",
    }
}

log_object! {
    /// The outcome of the action.
    LogOutcome {
        /// Result.
        result: LogOutcomeResult = "result",
        /// Reason for the result (`INVALID_CREDENTIALS`, ...).
        reason: String = "reason",
    }
}

log_object! {
    /// The client that made the request behind the event.
    LogClient {
        /// User agent (`rawUserAgent`, `os`, `browser`).
        user_agent: JsonMap = "userAgent",
        /// Network zone.
        zone: String = "zone",
        /// Kind of device (`Computer`, `Unknown`, ...).
        device: String = "device",
        /// Id of the client.
        id: String = "id",
        /// IP address.
        ip_address: String = "ipAddress",
        /// Geographical context (`city`, `country`, `geolocation`, ...).
        geographical_context: JsonMap = "geographicalContext",
    }
}

log_object! {
    /// The transaction that produced the event (events of one request share it).
    LogTransaction {
        /// `WEB` or `JOB`.
        transaction_type: String = "type",
        /// Id of the transaction (the request id for `WEB`).
        id: String = "id",
        /// Details (`requestApiTokenId`, ...).
        detail: JsonMap = "detail",
    }
}

log_object! {
    /// Extra information for troubleshooting; keys are not a stable contract.
    LogDebugContext {
        /// Event-specific data (`requestId`, `requestUri`, ...).
        debug_data: JsonMap = "debugData",
    }
}

log_object! {
    /// How the actor authenticated.
    LogAuthenticationContext {
        /// Authentication provider (`OKTA_AUTHENTICATION_PROVIDER`, ...).
        authentication_provider: String = "authenticationProvider",
        /// Credential provider.
        credential_provider: String = "credentialProvider",
        /// Credential type (`PASSWORD`, ...).
        credential_type: String = "credentialType",
        /// Issuer (`id`, `type`).
        issuer: JsonMap = "issuer",
        /// Interface (`Outlook`, ...).
        interface: String = "interface",
        /// Zero-based step number of the authentication.
        authentication_step: i64 = "authenticationStep",
        /// Session id (`rootSessionId`).
        external_session_id: String = "externalSessionId",
    }
}

log_object! {
    /// Security information about the request's origin (autonomous system, ISP, proxy).
    LogSecurityContext {
        /// Autonomous system number.
        as_number: i64 = "asNumber",
        /// Autonomous system organization.
        as_org: String = "asOrg",
        /// Internet service provider.
        isp: String = "isp",
        /// Domain.
        domain: String = "domain",
        /// Whether the request came through a proxy.
        is_proxy: bool = "isProxy",
    }
}

log_object! {
    /// The HTTP request behind the event.
    LogRequest {
        /// The IP addresses the request went through (empty when no HTTP request caused it).
        ip_chain: Vec<JsonMap> = "ipChain",
    }
}

/// One System Log event.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[serde(rename_all = "camelCase")]
pub struct LogEvent {
    /// Unique id of the event (the key to deduplicate events read twice).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
    /// When the event was published (`2024-05-01T12:00:00.123Z`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// Event type (`user.lifecycle.create`, `group.user_membership.add`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// Human-readable message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_message: Option<String>,
    /// Severity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<LogSeverity>,
    /// Who performed the action.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<LogActor>,
    /// The client behind the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client: Option<LogClient>,
    /// Outcome.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<LogOutcome>,
    /// What the action was performed on (`null` decodes as empty).
    #[serde(default, deserialize_with = "null_as_empty")]
    pub target: Vec<LogTarget>,
    /// The transaction that produced the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transaction: Option<LogTransaction>,
    /// Troubleshooting data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub debug_context: Option<LogDebugContext>,
    /// How the actor authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authentication_context: Option<LogAuthenticationContext>,
    /// Security information about the request's origin.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub security_context: Option<LogSecurityContext>,
    /// The HTTP request behind the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<LogRequest>,
    /// The equivalent event type of the older Events API, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy_event_type: Option<String>,
    /// Version of the event's schema (`0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: JsonMap,
}

impl LogEvent {
    /// The targets of a kind (`User`, `UserGroup`, `AppInstance`, ...).
    pub fn targets_of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a LogTarget> {
        self.target
            .iter()
            .filter(move |t| t.target_type.as_deref() == Some(kind))
    }
}

fn null_as_empty<'de, D, T>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_nulls_and_keeps_unknown_fields() {
        let json = serde_json::json!({
            "uuid": "5b3c1f0e-0000-11ef-0000-000000000000",
            "published": "2024-05-01T12:00:00.123Z",
            "eventType": "user.lifecycle.create",
            "version": "0",
            "severity": "INFO",
            "displayMessage": "Create Okta user",
            "legacyEventType": null,
            "actor": {"id": "0oa1", "type": "PublicClientApp", "alternateId": "x",
                      "displayName": "x", "detailEntry": null},
            "outcome": {"result": "SUCCESS", "reason": null},
            "target": [{"id": "00u1", "type": "User", "alternateId": "a@example.com",
                        "displayName": "A", "detailEntry": null}],
            "transaction": {"type": "WEB", "id": "abc", "detail": {}},
            "authenticationContext": {"authenticationStep": 0, "externalSessionId": null},
            "securityContext": {"asNumber": null, "isProxy": null},
            "request": {"ipChain": []},
            "device": null,
            "newField": {"a": 1},
        });
        let e: LogEvent = serde_json::from_value(json).unwrap();
        assert_eq!(e.severity, Some(LogSeverity::Info));
        assert_eq!(
            e.outcome.as_ref().and_then(|o| o.result.clone()),
            Some(LogOutcomeResult::Success)
        );
        assert_eq!(e.targets_of_type("User").count(), 1);
        assert_eq!(e.target[0].id.as_deref(), Some("00u1"));
        assert!(e.extra.contains_key("newField"));
        assert!(e.extra.contains_key("device"));
        let back = serde_json::to_value(&e).unwrap();
        assert_eq!(back["newField"]["a"], 1);
        let none: LogEvent = serde_json::from_value(serde_json::json!({"target": null})).unwrap();
        assert!(none.target.is_empty());
    }
}
