//! OAuth 2.0 objects attached to users: clients, consent grants, refresh tokens.

use super::object;
use crate::ids::{ClientId, GrantId, TokenId};

object! {
    /// An OAuth 2.0 client that holds grants or tokens for a user.
    OAuth2Client {
        /// Client id.
        client_id: ClientId = "client_id",
        /// Display name.
        client_name: String = "client_name",
        /// The app's home page.
        client_uri: String = "client_uri",
        /// Logo URL.
        logo_uri: String = "logo_uri",
    }
}

object! {
    /// A scope consent grant.
    ScopeConsentGrant {
        /// Id (`oag...`).
        id: GrantId = "id",
        /// `ACTIVE`, `REVOKED`, `EXPIRED`.
        status: String = "status",
        /// Creation time.
        created: String = "created",
        /// Last update.
        last_updated: String = "lastUpdated",
        /// Issuer (authorization server URL).
        issuer: String = "issuer",
        /// Client id.
        client_id: String = "clientId",
        /// User id.
        user_id: String = "userId",
        /// Scope name.
        scope_id: String = "scopeId",
        /// `ADMIN` or `END_USER`.
        source: String = "source",
    }
}

object! {
    /// A refresh token issued to a client for a user.
    RefreshToken {
        /// Id.
        id: TokenId = "id",
        /// `ACTIVE`, `REVOKED`.
        status: String = "status",
        /// Creation time.
        created: String = "created",
        /// Last update.
        last_updated: String = "lastUpdated",
        /// Expiry.
        expires_at: String = "expiresAt",
        /// Issuer.
        issuer: String = "issuer",
        /// Client id.
        client_id: String = "clientId",
        /// User id.
        user_id: String = "userId",
        /// Scopes.
        scopes: Vec<String> = "scopes",
    }
}
