//! The unified HRIS actions: list employees, terminate an employee.
//!
//! These are Spindle's own actions, not Okta operations, so their fields use the snake_case names
//! of the `Employee` model rather than Okta's.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::action;
use super::common::{NonEmpty, Page, yes};
use crate::hris::{
    Employee, EmployeeCursor, EmployeeFilters, EmploymentStatus, Termination, TerminationMode,
    TerminationOptions,
};
use crate::validate::Problem;

/// Input of `list_all_employees`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListEmployees {
    /// Cursor from the previous page's `next`; leave out for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<NonEmpty>,
    /// Employees per page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 200), extend("default" = 200))]
    pub limit: Option<u32>,
    /// Only employees with one of these statuses; all statuses, `terminated` included, when left
    /// out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1))]
    pub status: Option<Vec<EmploymentStatus>>,
    /// Only employees whose Okta record changed after this instant (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("format" = "date-time"))]
    pub updated_since: Option<String>,
    /// Only employees of this department (compared without regard to case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub department: Option<NonEmpty>,
}
action!(ListEmployees, "list_all_employees", Page<Employee>,
    {"status": ["active", "terminated"], "updated_since": "2026-01-01T00:00:00Z", "department": "Sales", "limit": 100},
    check = check_list);

fn check_list(input: &ListEmployees) -> Vec<Problem> {
    let mut problems = Vec::new();
    if let Some(cursor) = &input.cursor
        && EmployeeCursor::decode(cursor).is_none()
    {
        problems.push(Problem::new(
            "cursor",
            "expected a cursor returned by list_all_employees (its `next` value)",
        ));
    }
    if input
        .status
        .as_ref()
        .is_some_and(|s| s.contains(&EmploymentStatus::Unknown))
    {
        problems.push(Problem::new(
            "status",
            "`unknown` cannot be filtered on (Okta has no such status)",
        ));
    }
    problems
}

impl ListEmployees {
    /// The filters, for [`crate::hris::okta_search`].
    pub fn filters(&self) -> EmployeeFilters {
        EmployeeFilters {
            statuses: self.status.clone().unwrap_or_default(),
            updated_since: self.updated_since.clone(),
            department: self.department.as_ref().map(ToString::to_string),
        }
    }

    /// Okta's `after` value carried by the cursor, if any.
    pub fn okta_after(&self) -> Option<String> {
        self.cursor
            .as_ref()
            .and_then(|c| EmployeeCursor::decode(c))
            .map(|c| c.after)
    }
}

/// Input of `terminate_employee`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TerminateEmployee {
    /// The employee: Okta user id or login.
    pub employee_id: NonEmpty,
    /// Sign the employee out of every Okta session first.
    #[serde(default = "yes")]
    pub revoke_sessions: bool,
    /// With the sessions, revoke the OAuth and OpenID Connect tokens apps hold for the employee
    /// (only together with `revoke_sessions`; ignored without it).
    #[serde(default = "yes")]
    pub revoke_oauth_tokens: bool,
    /// `deactivate` keeps the deactivated record (reversible); `delete` also removes it for good.
    #[serde(default)]
    pub mode: TerminationMode,
    /// Email the admins about the deactivation.
    #[serde(default)]
    pub send_email: bool,
}
action!(TerminateEmployee, "terminate_employee", Termination,
    {"employee_id": "00ub0oNGTSWTBKOLGLNR", "revoke_sessions": true, "revoke_oauth_tokens": true, "mode": "deactivate"});

impl TerminateEmployee {
    /// The options, for [`crate::hris::TerminationPlan::new`].
    pub fn options(&self) -> TerminationOptions {
        TerminationOptions {
            revoke_sessions: self.revoke_sessions,
            revoke_oauth_tokens: self.revoke_oauth_tokens,
            mode: self.mode,
            send_email: self.send_email,
        }
    }
}
