//! The store's one error type.
//!
//! Error text never contains a secret: the only values interpolated are ids, names, field names and
//! the database driver's own message (which sees bound parameters only as placeholders). Key
//! mismatches name the connection and the key ids involved, which are fingerprints, not keys.

/// Everything that can go wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database URL is not one the store understands (`sqlite://…` or `postgres://…`).
    #[error("invalid database URL: {reason}")]
    InvalidDatabaseUrl {
        /// Why the URL was refused.
        reason: String,
    },

    /// A value given by the caller is not acceptable (bad org URL, credentials that do not match
    /// the auth kind, an empty name, …). Nothing was written.
    #[error("invalid {field}: {reason}")]
    Invalid {
        /// The field that was refused (`org_url`, `name`, `credentials`, …).
        field: &'static str,
        /// What was expected.
        reason: String,
    },

    /// The thing asked for does not exist.
    #[error("{kind} {id} not found")]
    NotFound {
        /// What was looked for (`connection`, `api key`).
        kind: &'static str,
        /// The id or name that was looked up.
        id: String,
    },

    /// A uniqueness rule was broken (a connection name already in use).
    #[error("{kind} named {name:?} already exists")]
    Conflict {
        /// What kind of object clashed.
        kind: &'static str,
        /// The name that is already taken.
        name: String,
    },

    /// A pagination cursor could not be decoded (it was not produced by this store, or was
    /// altered).
    #[error("invalid cursor: {reason}")]
    InvalidCursor {
        /// Why it was refused.
        reason: &'static str,
    },

    /// The master key could not be loaded.
    #[error("master key: {reason}")]
    MasterKey {
        /// What is wrong with the key or where it came from.
        reason: String,
    },

    /// A connection's credentials were encrypted under a different master key than the one in use.
    #[error(
        "the master key does not match: the credentials of connection {connection} were \
         encrypted under master key {stored_key_id}, but the key in use is {current_key_id} \
         (set SPINDLE_MASTER_KEY or the key file to the key the store was written with)"
    )]
    KeyMismatch {
        /// The connection whose credentials could not be decrypted.
        connection: String,
        /// The key id recorded with the ciphertext.
        stored_key_id: String,
        /// The key id of the key that was tried.
        current_key_id: String,
    },

    /// Decryption failed although the key id matched: the ciphertext was altered or moved to
    /// another row.
    #[error(
        "the credentials of connection {connection} could not be decrypted: the ciphertext was \
         altered or does not belong to this connection"
    )]
    Crypto {
        /// The connection whose credentials could not be decrypted.
        connection: String,
    },

    /// The schema migrations could not be applied.
    #[error("database migration failed: {0}")]
    Migration(#[from] sqlx::migrate::MigrateError),

    /// The database failed (connection lost, constraint, I/O, …).
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),

    /// A row in the database holds a value this version cannot read (written by a newer version,
    /// or edited by hand).
    #[error("corrupt row in {table}: {reason}")]
    Corrupt {
        /// The table holding the row.
        table: &'static str,
        /// What could not be read.
        reason: String,
    },

    /// A sync run's lease was taken over by another worker (this one was too slow or was
    /// thought dead): its batch was not written, and it must stop working on the run.
    #[error("sync run {run} is no longer held by this worker")]
    LeaseLost {
        /// The run.
        run: String,
    },
}

impl StoreError {
    /// Whether retrying the same operation later may succeed (a lost connection, a busy database,
    /// a pool timeout). Validation, conflict and key errors are not retryable.
    pub fn is_retryable(&self) -> bool {
        match self {
            StoreError::Database(e) => {
                matches!(
                    e,
                    sqlx::Error::Io(_)
                        | sqlx::Error::PoolTimedOut
                        | sqlx::Error::PoolClosed
                        | sqlx::Error::WorkerCrashed
                ) || e
                    .as_database_error()
                    .and_then(|d| d.code())
                    // SQLite: SQLITE_BUSY (5), SQLITE_LOCKED (6); PostgreSQL: serialization
                    // failure, deadlock.
                    .is_some_and(|c| matches!(c.as_ref(), "5" | "6" | "40001" | "40P01"))
            }
            _ => false,
        }
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Database(e)
    }
}

/// Turns a unique violation into [`StoreError::Conflict`], anything else into
/// [`StoreError::Database`].
pub(crate) fn conflict_or(e: sqlx::Error, kind: &'static str, name: &str) -> StoreError {
    if e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
    {
        StoreError::Conflict {
            kind,
            name: name.to_owned(),
        }
    } else {
        StoreError::Database(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transient_failures_are_retryable() {
        assert!(StoreError::Database(sqlx::Error::PoolTimedOut).is_retryable());
        assert!(
            StoreError::Database(sqlx::Error::Io(std::io::Error::from(
                std::io::ErrorKind::ConnectionReset
            )))
            .is_retryable()
        );
        assert!(!StoreError::Database(sqlx::Error::RowNotFound).is_retryable());
        assert!(
            !StoreError::Conflict {
                kind: "connection",
                name: "acme".into()
            }
            .is_retryable()
        );
        assert!(
            !StoreError::KeyMismatch {
                connection: "conn_1".into(),
                stored_key_id: "a".into(),
                current_key_id: "b".into()
            }
            .is_retryable()
        );
    }
}
