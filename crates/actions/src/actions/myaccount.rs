//! MyAccount: what the signed-in user may read about their org.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use serde_json::{Value, json};
use spindle_okta::Client;
use spindle_okta::models::Organization;

use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;

/// Input of `get_retrieve_the_org_details` (it takes no parameters; the org and user come from
/// the access token).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetOrgDetails {}

impl Action for GetOrgDetails {
    const SPEC: Spec = Spec {
        id: "get_retrieve_the_org_details",
        title: "Retrieve the Org details",
        operation: Operation::Read,
        entities: &["error", "link", "organization"],
        summary: "MyAccount call that returns basic facts about the org to the signed-in end user: its name, URL, help link and support email. It needs no inputs but requires an Identity Engine org with the MyAccount API enabled, an end-user access token with `okta.myAccount.organization.read`, and the versioned `Accept: application/json; okta-version=1.0.0` header; without that header Okta answers 406.",
        server: Server::MyAccount,
        method: HttpMethod::Get,
        path: "/idp/myaccount/organization",
        scopes: &["okta.myAccount.organization.read"],
    };
    type Output = Organization;

    fn example() -> Value {
        json!({})
    }

    /// The typed call sends MyAccount's versioned `Accept` header
    /// ([`spindle_okta::myaccount::ACCEPT`]), without which Okta answers 406.
    async fn run(self, client: &Client) -> Result<Organization, ExecuteError> {
        Ok(client.myaccount().organization().await?)
    }
}
