//! Applications, app links and identity providers.

use super::object;
use crate::ids::{AppId, IdpId};

object! {
    /// An application (only common fields are typed; everything else is in `extra`).
    Application {
        /// Id (`0oa...`).
        id: AppId = "id",
        /// App name (`oidc_client`, ...).
        name: String = "name",
        /// Display label.
        label: String = "label",
        /// `ACTIVE` or `INACTIVE`.
        status: String = "status",
        /// `OPENID_CONNECT`, `SAML_2_0`, ...
        sign_on_mode: String = "signOnMode",
        /// Creation time.
        created: String = "created",
        /// Last update.
        last_updated: String = "lastUpdated",
        /// Credentials (`oauthClient.client_id`, ...).
        credentials: crate::models::JsonMap = "credentials",
        /// Settings.
        settings: crate::models::JsonMap = "settings",
    }
}

impl Application {
    /// A minimal OIDC web/service app body.
    pub fn oidc(label: impl Into<String>, application_type: &str, grant_types: &[&str]) -> Self {
        let settings = serde_json::json!({
            "oauthClient": {
                "application_type": application_type,
                "grant_types": grant_types,
                "redirect_uris": if application_type == "service" {
                    serde_json::Value::Array(vec![])
                } else {
                    serde_json::json!(["https://localhost/callback"])
                },
                "response_types": if application_type == "service" { vec!["token"] } else { vec!["code"] },
            }
        });
        let credentials = serde_json::json!({
            "oauthClient": {
                "token_endpoint_auth_method": if application_type == "service" {
                    "client_secret_basic"
                } else {
                    "client_secret_post"
                }
            }
        });
        Self {
            name: Some("oidc_client".into()),
            label: Some(label.into()),
            sign_on_mode: Some("OPENID_CONNECT".into()),
            settings: settings.as_object().cloned(),
            credentials: credentials.as_object().cloned(),
            ..Self::default()
        }
    }
}

object! {
    /// An app link shown on a user's dashboard (`/users/{id}/appLinks`).
    AppLink {
        /// Id.
        id: String = "id",
        /// Label.
        label: String = "label",
        /// Link URL.
        link_url: String = "linkUrl",
        /// Logo URL.
        logo_url: String = "logoUrl",
        /// App name.
        app_name: String = "appName",
        /// App instance id.
        app_instance_id: String = "appInstanceId",
        /// App assignment id.
        app_assignment_id: String = "appAssignmentId",
        /// Whether the user can reorder it.
        credentials_setup: bool = "credentialsSetup",
        /// Whether it is hidden.
        hidden: bool = "hidden",
        /// Sort order.
        sort_order: i64 = "sortOrder",
    }
}

object! {
    /// An application's group assignment.
    AppGroupAssignment {
        /// Group id.
        id: String = "id",
        /// Priority.
        priority: i64 = "priority",
        /// Last update.
        last_updated: String = "lastUpdated",
        /// App-specific profile.
        profile: crate::models::JsonMap = "profile",
    }
}

object! {
    /// An application's user assignment.
    AppUser {
        /// User id.
        id: String = "id",
        /// Assignment status.
        status: String = "status",
        /// `USER` or `GROUP`.
        scope: String = "scope",
        /// App-specific profile.
        profile: crate::models::JsonMap = "profile",
        /// App credentials.
        credentials: crate::models::JsonMap = "credentials",
    }
}

object! {
    /// An identity provider.
    IdentityProvider {
        /// Id.
        id: IdpId = "id",
        /// `SAML2`, `GOOGLE`, `OIDC`, ...
        idp_type: String = "type",
        /// Name.
        name: String = "name",
        /// `ACTIVE` or `INACTIVE`.
        status: String = "status",
        /// Issuer mode.
        issuer_mode: String = "issuerMode",
        /// Creation time.
        created: String = "created",
        /// Last update.
        last_updated: String = "lastUpdated",
        /// Protocol settings.
        protocol: crate::models::JsonMap = "protocol",
        /// Policy.
        policy: crate::models::JsonMap = "policy",
    }
}
