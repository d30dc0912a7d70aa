//! Linked objects: definitions (org-wide) and values on users.

use crate::models::{LinkedObject, LinkedObjectValue};
use crate::{Client, Result, UserId, req};

/// Calls on linked-object definitions and values.
#[derive(Debug, Clone)]
pub struct LinkedObjects {
    client: Client,
}

impl Client {
    /// Linked-object calls.
    pub fn linked_objects(&self) -> LinkedObjects {
        LinkedObjects {
            client: self.clone(),
        }
    }
}

impl LinkedObjects {
    /// The values of `relationship` for a user (`[]` when none).
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn get(
        &self,
        user: impl Into<UserId>,
        relationship: &str,
    ) -> Result<Vec<LinkedObjectValue>> {
        let u = user.into();
        self.client
            .call(req!(
                GET,
                "/api/v1/users/{userIdOrLogin}/linkedObjects/{relationshipName}",
                "/api/v1/users/{}/linkedObjects/{}",
                u,
                relationship
            ))
            .await
    }

    /// Sets `primary_user` as `associated_user`'s primary (e.g. manager) for `primary_name`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn set_primary(
        &self,
        associated_user: impl Into<UserId>,
        primary_name: &str,
        primary_user: impl Into<UserId>,
    ) -> Result<()> {
        let (a, p) = (associated_user.into(), primary_user.into());
        self.client
            .call_empty(req!(
                PUT,
                "/api/v1/users/{userIdOrLogin}/linkedObjects/{primaryRelationshipName}/{primaryUserId}",
                "/api/v1/users/{}/linkedObjects/{}/{}",
                a,
                primary_name,
                p
            ))
            .await
    }

    /// Deletes the user's link for `relationship`.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn delete(&self, user: impl Into<UserId>, relationship: &str) -> Result<()> {
        let u = user.into();
        self.client
            .call_empty(req!(
                DELETE,
                "/api/v1/users/{userIdOrLogin}/linkedObjects/{relationshipName}",
                "/api/v1/users/{}/linkedObjects/{}",
                u,
                relationship
            ))
            .await
    }

    /// Creates a definition (`POST /api/v1/meta/schemas/user/linkedObjects`).
    ///
    /// # Errors
    /// 409 `E0000127` if a name is taken.
    pub async fn create_definition(&self, def: &LinkedObject) -> Result<LinkedObject> {
        self.client
            .call(
                req!(
                    POST,
                    "/api/v1/meta/schemas/user/linkedObjects",
                    "/api/v1/meta/schemas/user/linkedObjects"
                )
                .json(def)?,
            )
            .await
    }

    /// All definitions.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn definitions(&self) -> Result<Vec<LinkedObject>> {
        self.client
            .call(req!(
                GET,
                "/api/v1/meta/schemas/user/linkedObjects",
                "/api/v1/meta/schemas/user/linkedObjects"
            ))
            .await
    }

    /// Deletes a definition by its primary or associated name.
    ///
    /// # Errors
    /// See [`Client::send`].
    pub async fn delete_definition(&self, name: &str) -> Result<()> {
        self.client
            .call_empty(req!(
                DELETE,
                "/api/v1/meta/schemas/user/linkedObjects/{linkedObjectName}",
                "/api/v1/meta/schemas/user/linkedObjects/{}",
                name
            ))
            .await
    }
}
