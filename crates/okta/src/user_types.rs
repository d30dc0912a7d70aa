//! User types (`/api/v1/meta/types/user`).

use crate::models::UserType;
use crate::{Client, Result, UserTypeId, req};

/// Calls on user types.
#[derive(Debug, Clone)]
pub struct UserTypes {
    client: Client,
}

impl Client {
    /// User type calls.
    pub fn user_types(&self) -> UserTypes {
        UserTypes {
            client: self.clone(),
        }
    }
}

impl UserTypes {
    /// All user types (at most 10, not paginated).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn list(&self) -> Result<Vec<UserType>> {
        self.client
            .call(req!(
                GET,
                "/api/v1/meta/types/user",
                "/api/v1/meta/types/user"
            ))
            .await
    }

    /// One type (`default` fetches the default type).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn get(&self, id: impl Into<UserTypeId>) -> Result<UserType> {
        let id = id.into();
        self.client
            .call(req!(
                GET,
                "/api/v1/meta/types/user/{typeId}",
                "/api/v1/meta/types/user/{}",
                id
            ))
            .await
    }

    /// Creates a type.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn create(&self, body: &UserType) -> Result<UserType> {
        self.client
            .call(req!(POST, "/api/v1/meta/types/user", "/api/v1/meta/types/user").json(body)?)
            .await
    }

    /// Partial update (`POST`): `displayName`, `description`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn update(&self, id: impl Into<UserTypeId>, body: &UserType) -> Result<UserType> {
        let id = id.into();
        self.client
            .call(
                req!(
                    POST,
                    "/api/v1/meta/types/user/{typeId}",
                    "/api/v1/meta/types/user/{}",
                    id
                )
                .json(body)?,
            )
            .await
    }

    /// Full replace (`PUT`): `name` must be present and unchanged.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn replace(&self, id: impl Into<UserTypeId>, body: &UserType) -> Result<UserType> {
        let id = id.into();
        self.client
            .call(
                req!(
                    PUT,
                    "/api/v1/meta/types/user/{typeId}",
                    "/api/v1/meta/types/user/{}",
                    id
                )
                .json(body)?,
            )
            .await
    }

    /// Deletes a type (not the default, not one in use).
    ///
    /// # Errors
    /// 403 `E0000142` if the type cannot be deleted.
    pub async fn delete(&self, id: impl Into<UserTypeId>) -> Result<()> {
        let id = id.into();
        self.client
            .call_empty(req!(
                DELETE,
                "/api/v1/meta/types/user/{typeId}",
                "/api/v1/meta/types/user/{}",
                id
            ))
            .await
    }
}
