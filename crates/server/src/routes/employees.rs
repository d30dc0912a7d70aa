//! `GET /v1/connections/{connection_id}/employees`: the org's people in the unified employee
//! model, page by page (the `list_all_employees` action, with its filters as query parameters).
//!
//! It reads live from Okta: every page is an Okta call. The synced copy in the gateway's store
//! (no Okta call, as fresh as the last sync run) is `GET
//! /v1/connections/{connection_id}/records/employees` ([`crate::routes::sync`]).

use axum::extract::{RawQuery, State};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::auth::Caller;
use crate::error::{ApiError, Path, Problem};
use crate::state::AppState;

/// The query parameters of the employees listing.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // Documents the parameters; they are read from the raw query.
pub struct EmployeesQuery {
    /// Only these statuses, comma-separated or repeated: `active`, `pending`, `inactive`,
    /// `terminated`. All when left out.
    #[param(
        pattern = r"^(active|pending|inactive|terminated)(,(active|pending|inactive|terminated))*$"
    )]
    status: Option<String>,
    /// Only this department (compared without regard to case).
    #[param(min_length = 1)]
    department: Option<String>,
    /// Only employees changed after this instant (RFC 3339).
    #[param(format = DateTime)]
    updated_since: Option<String>,
    /// Employees per page, 1 to 200 (default 200).
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u32>,
    /// The `next` cursor of the previous page.
    #[param(min_length = 1)]
    after: Option<String>,
    /// Deprecated: the old name of `after`, accepted for one release.
    #[param(min_length = 1)]
    #[deprecated]
    cursor: Option<String>,
}

/// One page of employees.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmployeePage {
    /// Employees in the unified model (see the `list_all_employees` action's output schema).
    #[schema(value_type = Vec<Object>)]
    pub items: Vec<Value>,
    /// The cursor of the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// The action input for a query string, or the problem naming the parameter at fault.
fn input_of(query: Option<&str>) -> Result<Value, ApiError> {
    let mut input = Map::new();
    let mut statuses = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match name.as_ref() {
            "status" => {
                for status in value.split(',').map(str::trim) {
                    if status.is_empty() {
                        return Err(ApiError::invalid_field(
                            "status",
                            "expected statuses separated by commas (active, pending, inactive, terminated), got an empty one",
                        ));
                    }
                    statuses.push(Value::String(status.to_owned()));
                }
            }
            "department" | "updated_since" => {
                input.insert(name.into_owned(), Value::String(value.into_owned()));
            }
            // `cursor` is the deprecated name of `after`, as in the action's input.
            "after" | "cursor" => {
                input.insert(name.into_owned(), Value::String(value.into_owned()));
            }
            "limit" => {
                let limit: u64 = value.parse().map_err(|_| {
                    ApiError::invalid_field(
                        "limit",
                        format!("expected an integer from 1 to 200, got `{value}`"),
                    )
                })?;
                input.insert("limit".to_owned(), Value::from(limit));
            }
            other => {
                return Err(ApiError::invalid_field(
                    other,
                    "unknown query parameter; expected status, department, updated_since, limit or after",
                ));
            }
        }
    }
    if !statuses.is_empty() {
        input.insert("status".to_owned(), Value::Array(statuses));
    }
    Ok(Value::Object(input))
}

/// Lists a connection's employees in the unified model, read live from Okta.
///
/// Every page is an Okta call (`list_all_employees`) and counts against the org's rate limits.
/// For the synced copy in the gateway's store, which makes no Okta call, read
/// `GET /v1/connections/{connection_id}/records/employees` (after a sync run:
/// `POST /v1/connections/{connection_id}/sync/run`).
#[utoipa::path(get, path = "/v1/connections/{connection_id}/employees", operation_id = "listEmployees", tag = "employees",
    params(("connection_id" = String, Path, description = "The connection's id (`conn_…`) or name"), EmployeesQuery),
    responses((status = 200, body = EmployeePage),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
        (status = 502, body = Problem, content_type = "application/problem+json")),
    security(("api_key" = [])))]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(connection_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<super::actions::JsonOutput, ApiError> {
    let input = input_of(query.as_deref())?;
    let output = super::actions::run_action(
        &state,
        &caller,
        &connection_id,
        "list_all_employees",
        &input,
        None,
    )
    .await?;
    // The action's page is already `{"items": [...], "next": ...}`: it is the answer as it is.
    Ok(super::actions::JsonOutput(output))
}

#[cfg(test)]
mod tests {
    use super::input_of;

    #[test]
    fn query_parameters_become_the_action_input() {
        let input = input_of(Some(
            "status=active,terminated&status=pending&department=Sales&limit=5",
        ))
        .expect("valid");
        assert_eq!(
            input,
            serde_json::json!({"department": "Sales", "limit": 5, "status": ["active", "terminated", "pending"]})
        );
    }

    #[test]
    fn unknown_and_malformed_parameters_are_named() {
        let error = input_of(Some("dept=Sales")).expect_err("unknown");
        assert!(
            error
                .problem()
                .detail
                .starts_with("dept: unknown query parameter")
        );
        let error = input_of(Some("limit=ten")).expect_err("malformed");
        assert!(
            error
                .problem()
                .detail
                .contains("limit: expected an integer")
        );
    }
}
