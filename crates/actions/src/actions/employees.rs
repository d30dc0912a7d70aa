//! The unified HRIS actions: list employees, terminate an employee.
//!
//! These are Spindle's own actions, not Okta operations, so their fields use the snake_case names
//! of the `Employee` model rather than Okta's.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use spindle_okta::Client;
use spindle_okta::users::{DeactivateOptions, ListUsers};

use super::common::{NonEmpty, Page, yes};
use crate::Action;
use crate::catalog::{HttpMethod, Operation, Server, Spec};
use crate::execute::ExecuteError;
use crate::hris::{
    Employee, EmployeeCursor, EmployeeFilters, EmploymentStatus, Termination, TerminationMode,
    TerminationOptions, TerminationPlan, TerminationStep, okta_search,
};
use crate::validate::Problem;

/// Input of `list_all_employees`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListEmployees {
    /// Cursor from the previous page's `next`; leave out for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<NonEmpty>,
    /// Deprecated: the former name of `after` (every list's cursor is now `after`), accepted for
    /// one more release.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(extend("deprecated" = true))]
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

impl Action for ListEmployees {
    const SPEC: Spec = Spec {
        id: "list_all_employees",
        title: "List all Users",
        operation: Operation::Read,
        entities: &["employees"],
        summary: "Spindle's unified HRIS listing: reads Okta users and maps each one to the common Employee model (names, emails, phones, employment status, title, department, manager, location, start and termination dates, custom fields and the raw Okta user). Filters cover employment status, including terminated employees (deactivated users that a plain Okta listing hides), records updated since a timestamp, and department. Results come in pages with an opaque cursor for the next page.",
        server: Server::Management,
        method: HttpMethod::Get,
        path: "/api/v1/users",
        scopes: &["okta.users.read"],
    };
    type Output = Page<Employee>;

    fn example() -> Value {
        json!({"status": ["active", "terminated"], "updated_since": "2026-01-01T00:00:00Z", "department": "Sales", "limit": 100})
    }

    fn check(&self) -> Vec<Problem> {
        check_list(self)
    }

    fn set_cursor(&mut self, next: NonEmpty) -> bool {
        self.after = Some(next);
        self.cursor = None;
        true
    }

    async fn run(self, client: &Client) -> Result<Page<Employee>, ExecuteError> {
        let mut query = ListUsers::new()
            .search(okta_search(&self.filters()))
            .limit(self.limit.unwrap_or(spindle_okta::users::MAX_PAGE_SIZE));
        if let Some(after) = self.okta_after() {
            query = query.after(after);
        }
        // Each user's text is read once for the fields the model maps, and kept as `raw`.
        let page = client.users().list_page_raw(query).await?;
        let next = page
            .next_after()
            .map(|after| EmployeeCursor { after }.encode());
        let items = page
            .items
            .into_iter()
            .map(|user| {
                Employee::from_okta_raw(user.into_raw())
                    .map_err(|e| ExecuteError::Output(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Page { items, next })
    }
}

fn check_list(input: &ListEmployees) -> Vec<Problem> {
    let mut problems = Vec::new();
    if input.after.is_some() && input.cursor.is_some() {
        problems.push(Problem::new(
            "cursor",
            "the former name of `after`: give only `after`",
        ));
    }
    for (field, cursor) in [("after", &input.after), ("cursor", &input.cursor)] {
        if let Some(cursor) = cursor
            && EmployeeCursor::decode(cursor).is_none()
        {
            problems.push(Problem::new(
                field,
                "expected a cursor returned by list_all_employees (its `next` value)",
            ));
        }
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
        self.after
            .as_ref()
            .or(self.cursor.as_ref())
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

impl Action for TerminateEmployee {
    const SPEC: Spec = Spec {
        id: "terminate_employee",
        title: "Terminate Employee",
        operation: Operation::Write,
        entities: &["employee", "termination"],
        summary: "Spindle's offboarding flow for one employee, given their Okta user id or login. It optionally revokes the user's sessions and OAuth tokens, deactivates the user (removing sign-in and deprovisioning app access), and optionally deletes them permanently. It is idempotent: an employee who is already deprovisioned or deleted is not an error. The result states each step taken or skipped, such as sessions revoked, deactivated or deleted.",
        server: Server::Management,
        method: HttpMethod::Delete,
        path: "/api/v1/users/{id}",
        scopes: &["okta.users.manage"],
    };
    type Output = Termination;

    fn example() -> Value {
        json!({"employee_id": "00ub0oNGTSWTBKOLGLNR", "revoke_sessions": true, "revoke_oauth_tokens": true, "mode": "deactivate"})
    }

    /// Reads the user and follows a [`TerminationPlan`]; idempotent (an already deactivated or
    /// deleted employee gives a clear outcome, not an error).
    async fn run(self, client: &Client) -> Result<Termination, ExecuteError> {
        let employee = self.employee_id.as_str();
        let first_status = user_status(client, employee).await?;
        let mut status = first_status.clone();
        let mut done = Vec::new();
        // A concurrent change (another termination, an admin) can move the user between our read
        // and our calls: Okta then refuses a step (403 E0000038 on a deactivated user, 404 on a
        // deleted one). The user is re-read and the plan rebuilt from the new status, a few times
        // at most, so that terminating twice at once never fails.
        'rounds: for round in 0..3 {
            let plan = TerminationPlan::new(status.as_deref(), self.options());
            for step in &plan.steps {
                match run_step(client, employee, step).await {
                    Ok(()) => done.push(*step),
                    Err(e) if matches!(e.status(), Some(400 | 403 | 404)) && round < 2 => {
                        let now = user_status(client, employee).await?;
                        if now == status {
                            return Err(e.into());
                        }
                        status = now;
                        continue 'rounds;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            break;
        }
        // The output says what this call did, against the status it first saw.
        let did = TerminationPlan {
            steps: done,
            previous_status: first_status,
        };
        Ok(did.outcome(employee))
    }
}

/// The user's Okta status, `None` when the user does not exist.
pub(crate) async fn user_status(client: &Client, id: &str) -> Result<Option<String>, ExecuteError> {
    match client.users().get(id, None).await {
        Ok(user) => Ok(user.status.map(|s| s.as_str().to_owned())),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

async fn run_step(
    client: &Client,
    employee: &str,
    step: &TerminationStep,
) -> spindle_okta::Result<()> {
    match *step {
        TerminationStep::RevokeSessions { oauth_tokens } => {
            client
                .sessions()
                .revoke_all(employee, Some(oauth_tokens), None)
                .await
        }
        TerminationStep::Deactivate { send_email } => {
            let options = DeactivateOptions {
                send_email: Some(send_email),
                ..DeactivateOptions::default()
            };
            client.users().deactivate(employee, options).await
        }
        TerminationStep::Delete => {
            client
                .users()
                .delete(employee, DeactivateOptions::default())
                .await
        }
    }
}

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
