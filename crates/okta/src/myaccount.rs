//! MyAccount API (end-user scope; needs a versioned `Accept` header).

use crate::models::Organization;
use crate::{Client, Result, req};

/// `Accept` value the MyAccount API requires (else 406 `E0000149`).
pub const ACCEPT: &str = "application/json; okta-version=1.0.0";

/// Calls on `/idp/myaccount`.
#[derive(Debug, Clone)]
pub struct MyAccount {
    client: Client,
}

impl Client {
    /// MyAccount calls (the client should hold an end user's access token, see
    /// [`Credentials::AccessToken`](crate::Credentials::AccessToken)).
    pub fn myaccount(&self) -> MyAccount {
        MyAccount {
            client: self.clone(),
        }
    }
}

impl MyAccount {
    /// `GET /idp/myaccount/organization`.
    ///
    /// # Errors
    /// 401 `E0000015` when MyAccount is not enabled; see [`Client::send`].
    ///
    /// ```no_run
    /// # async fn run(client: spindle_okta::Client) -> spindle_okta::Result<()> {
    /// let org = client.myaccount().organization().await?;
    /// println!("{:?}", org.support_email);
    /// # Ok(()) }
    /// ```
    pub async fn organization(&self) -> Result<Organization> {
        self.client
            .call(
                req!(
                    GET,
                    "/idp/myaccount/organization",
                    "/idp/myaccount/organization"
                )
                .header("accept", ACCEPT),
            )
            .await
    }
}
