//! Finding the org's objects by the ids requests name them with, answering Okta's 404
//! (`E0000007`, naming the kind of resource Okta names) when there is none.

use super::{App, Org};
use crate::error::{ApiError, ApiResult};

impl Org {
    /// A user by id or login (case/diacritic-insensitive), as `GET /users/{idOrLogin}`.
    pub(crate) fn find_user(&self, id_or_login: &str) -> ApiResult<u64> {
        self.user_seq(id_or_login)
            .ok_or_else(|| ApiError::not_found(id_or_login, "User"))
    }

    /// The id of a user named by id or login.
    pub(crate) fn find_user_id(&self, id_or_login: &str) -> ApiResult<String> {
        self.find_user(id_or_login)
            .ok()
            .and_then(|s| self.user(s))
            .map(|u| u.id.clone())
            .ok_or_else(|| ApiError::not_found(id_or_login, "User"))
    }

    /// A group by id.
    pub(crate) fn find_group(&self, id: &str) -> ApiResult<u64> {
        self.group_seq(id)
            .ok_or_else(|| ApiError::not_found(id, "UserGroup"))
    }

    /// An app by id.
    pub(crate) fn find_app(&self, id: &str) -> ApiResult<u64> {
        self.app_seq(id)
            .ok_or_else(|| ApiError::not_found(id, "AppInstance"))
    }

    /// An app by id, with its seq.
    pub(crate) fn find_app_record(&self, id: &str) -> ApiResult<(u64, &App)> {
        self.app_seq(id)
            .and_then(|s| self.apps.get(&s).map(|a| (s, a)))
            .ok_or_else(|| ApiError::not_found(id, "AppInstance"))
    }

    /// The ids of a user (by id or login) and of an OAuth client (an app), as the
    /// `/users/{userId}/clients/{clientId}/…` routes name them.
    pub(crate) fn find_user_and_client(
        &self,
        user: &str,
        client: &str,
    ) -> ApiResult<(String, String)> {
        Ok((self.find_user_id(user)?, self.find_client_id(client)?))
    }

    /// The id of an app, named as an app (`AppInstance`).
    pub(crate) fn find_app_id(&self, id: &str) -> ApiResult<String> {
        self.app_id_named(id, "AppInstance")
    }

    /// The id of an app, named as an OAuth client (`OAuth2Client`).
    pub(crate) fn find_client_id(&self, id: &str) -> ApiResult<String> {
        self.app_id_named(id, "OAuth2Client")
    }

    fn app_id_named(&self, id: &str, kind: &str) -> ApiResult<String> {
        self.app_seq(id)
            .and_then(|s| self.apps.get(&s))
            .map(|a| a.id.clone())
            .ok_or_else(|| ApiError::not_found(id, kind))
    }
}
