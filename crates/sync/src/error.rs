//! Why a run failed, in words a person can act on.

use spindle_store::StoreError;

/// A run's failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SyncError {
    /// Okta answered with an error or could not be reached (after the client's retries).
    #[error("{}", okta_message(.0))]
    Okta(#[from] spindle_okta::Error),
    /// The store failed.
    #[error("the gateway's database failed: {0}")]
    Store(#[from] StoreError),
    /// The connection's clients could not be built (bad credentials, refused URL).
    #[error("{0}")]
    Connection(String),
    /// Another worker took the run over (this one was too slow or thought dead); it stops.
    #[error("the run was taken over by another worker")]
    LeaseLost,
    /// The run was asked to stop (shutdown).
    #[error("the gateway shut down during the run; it resumes from its last checkpoint")]
    Stopped,
}

impl SyncError {
    /// Whether the run may be resumed later by another attempt (the worker leaves it to the
    /// lease; other errors end it as failed).
    pub fn is_lease_lost(&self) -> bool {
        matches!(
            self,
            SyncError::LeaseLost | SyncError::Store(StoreError::LeaseLost { .. })
        )
    }
}

fn okta_message(e: &spindle_okta::Error) -> String {
    match e.status() {
        Some(401) => format!(
            "Okta refused the connection's credentials ({e}); update them with PATCH \
             /v1/connections/{{id}}"
        ),
        Some(403) => format!(
            "Okta refused the read ({e}); the sync needs the okta.users.read, okta.groups.read \
             and okta.logs.read scopes (or an API token of an admin who may read users, groups \
             and the System Log)"
        ),
        Some(429) => format!(
            "Okta kept answering 429 Too Many Requests ({e}); lower the connection's rate_share \
             or let the customer's other tools use less"
        ),
        Some(s) if s >= 500 => format!("Okta failed ({e}); the next run retries"),
        Some(_) => format!("Okta refused a read ({e})"),
        None => format!("Okta could not be reached ({e}); the next run retries"),
    }
}
