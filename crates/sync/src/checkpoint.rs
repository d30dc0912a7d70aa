//! Where a run stands, saved with every batch so a killed run resumes there.

use serde::{Deserialize, Serialize};

/// A run's resume point (stored as JSON on the run; opaque to the store).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    /// The full pass in progress, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass: Option<Pass>,
}

/// A full pass in progress.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Pass {
    /// When the pass started (ms since the epoch): the reconciliation deletes only what no
    /// read has seen since.
    pub started_ms: i64,
    /// The System Log link to follow once the pass is complete, for a connection that does not
    /// follow the log yet (its first run).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_start: Option<String>,
    /// The step the pass is at.
    pub phase: Phase,
}

/// The steps of a full pass, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub(crate) enum Phase {
    /// The groups, from the page after `after`.
    Groups { after: Option<String> },
    /// The user lists and the member walks, side by side (they use different rate-limit
    /// buckets); a lane is `None` once it is done.
    Lanes {
        users: Option<UserLane>,
        members: Option<MemberLane>,
    },
    /// The reconciliation at the end of the pass.
    Sweep,
}

/// Where the user lists are: the default list (every status but `DEPROVISIONED`), then the
/// `DEPROVISIONED` users, from the page after `after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct UserLane {
    pub deprovisioned: bool,
    pub after: Option<String>,
}

/// Where the member walks are: groups in id order; `group` is being walked (from the page after
/// `after`), groups before it are done; `None` before the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct MemberLane {
    pub group: Option<String>,
    pub after: Option<String>,
}

/// The System Log position kept between runs: the polling `next` link and the `uuid`s of the
/// last page read, so an event served again across the page boundary is not applied twice.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LogPosition {
    pub next: String,
    #[serde(default)]
    pub recent: Vec<String>,
}

impl LogPosition {
    /// Reads a saved position; an older plain-link form is accepted too.
    pub fn parse(text: &str) -> LogPosition {
        serde_json::from_str(text).unwrap_or_else(|_| LogPosition {
            next: text.to_owned(),
            recent: Vec::new(),
        })
    }

    pub fn encode(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_round_trip() {
        let c = Checkpoint {
            pass: Some(Pass {
                started_ms: 1,
                log_start: Some("https://acme.okta.com/api/v1/logs?since=x".into()),
                phase: Phase::Lanes {
                    users: Some(UserLane {
                        deprovisioned: true,
                        after: Some("00u9".into()),
                    }),
                    members: Some(MemberLane {
                        group: Some("00g1".into()),
                        after: None,
                    }),
                },
            }),
        };
        let text = serde_json::to_string(&c).expect("encode");
        assert_eq!(
            serde_json::from_str::<Checkpoint>(&text).expect("decode"),
            c
        );
        let p = LogPosition::parse("https://acme.okta.com/api/v1/logs?after=1");
        assert_eq!(p.next, "https://acme.okta.com/api/v1/logs?after=1");
        assert_eq!(LogPosition::parse(&p.encode()), p);
    }
}
