//! The Okta request an input stands for: what `execute` sends once the client exists.
//!
//! Because every Okta-mirroring input follows one convention (path and query parameters at the top
//! level under Okta's names, the body under `body`), one function turns any validated input into
//! its request: path parameters are substituted (percent-encoded) into the catalog's path
//! template, every other top-level field becomes a query parameter, and `body` is the JSON body.
//! The HRIS actions map to Okta calls of their own: `list_all_employees` to a user search, and
//! `terminate_employee` to the steps of a [`crate::hris::TerminationPlan`] (so it has no single
//! request).

use std::fmt;

use serde_json::Value;

use crate::actions::ValidInput;
use crate::catalog::{self, HttpMethod, Server};
use crate::hris::okta_search;

/// One Okta HTTP call, ready for the client.
#[derive(Clone, PartialEq)]
pub struct OktaRequest {
    /// Which Okta API serves it.
    pub server: Server,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The path with its parameters substituted and percent-encoded, e.g. `/api/v1/groups/00g1`.
    pub path: String,
    /// Query parameters in a stable order, values as Okta expects them (`true`, `200`, ...). Not
    /// yet URL-encoded.
    pub query: Vec<(String, String)>,
    /// The JSON body, if the call has one. It may hold secrets (passwords, answers).
    pub body: Option<Value>,
}

impl fmt::Debug for OktaRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body can carry passwords and recovery answers: never print it.
        f.debug_struct("OktaRequest")
            .field("server", &self.server)
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body", &self.body.as_ref().map(|_| "[not shown]"))
            .finish()
    }
}

/// Percent-encodes a path segment: everything but RFC 3986 unreserved characters.
pub fn encode_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

fn query_value(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

impl ValidInput {
    /// The Okta request this input stands for; `None` for `terminate_employee`, which takes
    /// several calls (see [`crate::hris::TerminationPlan`]).
    pub fn okta_request(&self) -> Option<OktaRequest> {
        let spec = catalog::get(self.action_id())?;
        match self {
            Self::TerminateEmployee(_) => None,
            Self::ListEmployees(input) => {
                let mut query = vec![("search".to_owned(), okta_search(&input.filters()))];
                query.push(("limit".to_owned(), input.limit.unwrap_or(200).to_string()));
                if let Some(after) = input.okta_after() {
                    query.push(("after".to_owned(), after));
                }
                Some(OktaRequest {
                    server: spec.server,
                    method: spec.method,
                    path: spec.path.to_owned(),
                    query,
                    body: None,
                })
            }
            _ => {
                let Value::Object(mut fields) = self.to_json() else {
                    return None;
                };
                let mut path = String::new();
                for segment in spec.path.split('/').skip(1) {
                    path.push('/');
                    match segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                        Some(param) => {
                            let value = fields.remove(param)?;
                            path.push_str(&encode_segment(&query_value(&value)?));
                        }
                        None => path.push_str(segment),
                    }
                }
                let body = fields.remove("body");
                let query = fields
                    .iter()
                    .filter_map(|(k, v)| Some((k.clone(), query_value(v)?)))
                    .collect();
                Some(OktaRequest {
                    server: spec.server,
                    method: spec.method,
                    path,
                    query,
                    body,
                })
            }
        }
    }
}
