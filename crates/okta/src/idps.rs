//! Identity providers linked to a user.

use crate::models::IdentityProvider;
use crate::{Client, Result, UserId, req};

/// Calls on identity providers.
#[derive(Debug, Clone)]
pub struct Idps {
    client: Client,
}

impl Client {
    /// Identity provider calls.
    pub fn idps(&self) -> Idps {
        Idps {
            client: self.clone(),
        }
    }
}

impl Idps {
    /// The identity providers linked to a user (`GET /users/{id}/idps`).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn for_user(&self, user: impl Into<UserId>) -> Result<Vec<IdentityProvider>> {
        let u = user.into();
        self.client
            .call(req!(
                GET,
                "/api/v1/users/{id}/idps",
                "/api/v1/users/{}/idps",
                u
            ))
            .await
    }
}
