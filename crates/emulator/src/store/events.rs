//! The System Log: one event per change the org makes, whoever asked for it.
//!
//! Design: the org records events in the domain methods that make the change (user creation,
//! status changes, deletion, memberships, groups), so an API call, a group rule and the admin API
//! all leave the same trail, under the same write lock as the change itself. Events get a `seq`
//! from their own counter: `published` never decreases along `seq` (the clock is read under the
//! lock), so a cursor on `seq` is also a cursor in time and a poll never sees an event twice.
//! The log is a ring buffer of [`CAPACITY`] events: the oldest fall off, as Okta's retention
//! window drops old events.

use std::collections::VecDeque;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use super::Org;
use crate::query::{Record, Val};
use crate::util::{Iso, mix};

/// How many events the log keeps.
pub(crate) const CAPACITY: usize = 100_000;

/// What an event is about (`target[]`).
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub id: String,
    /// `User` or `UserGroup`.
    pub kind: &'static str,
    pub alternate_id: String,
    pub display_name: String,
}

/// One System Log event.
#[derive(Debug, Clone)]
pub(crate) struct LogEvent {
    pub seq: u64,
    pub uuid: String,
    /// Milliseconds since the Unix epoch.
    pub published_ms: i64,
    pub event_type: &'static str,
    pub display_message: &'static str,
    pub targets: Vec<Target>,
    pub transaction_id: String,
}

/// The bounded event log.
#[derive(Debug)]
pub(crate) struct EventLog {
    events: VecDeque<LogEvent>,
    next_seq: u64,
    last_ms: i64,
}

pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `YYYY-MM-DDTHH:mm:ss.SSSZ`.
pub(crate) fn fmt_ms(ms: i64) -> String {
    let secs = Iso(ms.div_euclid(1000)).to_string();
    let head = secs.trim_end_matches(".000Z");
    format!("{head}.{:03}Z", ms.rem_euclid(1000))
}

/// The display message of each event type ([unconfirmed] wording: taken from Okta's event
/// types catalog descriptions, shortened as the Admin Console shows them).
fn message(event_type: &str) -> &'static str {
    match event_type {
        "user.lifecycle.create" => "Create Okta user",
        "user.lifecycle.activate" => "Activate Okta user",
        "user.lifecycle.reactivate" => "Reactivate Okta user",
        "user.lifecycle.deactivate" => "Deactivate Okta user",
        "user.lifecycle.suspend" => "Suspend Okta user",
        "user.lifecycle.unsuspend" => "Unsuspend Okta user",
        "user.lifecycle.delete.initiated" => "Delete Okta user",
        "user.lifecycle.delete.completed" => "Delete Okta user completed",
        "user.account.update_profile" => "Update user profile for Okta",
        "user.account.lock" => "Max sign in attempts exceeded",
        "user.account.unlock" => "Unlock user account",
        "user.account.update_password" => "Update user password",
        "user.account.reset_password" => "Reset Okta user password",
        "user.account.expire_password" => "Expire Okta user password",
        "user.account.update_recovery_question" => "Update recovery question",
        "user.lifecycle.password_mode.change" => "User password mode changed",
        "user.mfa.factor.reset_all" => "Reset all factors for user",
        "user.session.start" => "User login to Okta",
        "group.user_membership.add" => "Add user to group membership",
        "group.user_membership.remove" => "Remove user from group membership",
        "group.lifecycle.create" => "Create okta user group",
        "group.lifecycle.delete" => "Delete okta user group",
        "group.profile.update" => "Update group profile",
        _ => "",
    }
}

impl Default for EventLog {
    /// An empty log whose first `seq` comes from the clock (a thousand per millisecond), so a
    /// cursor a poller kept across `/__emulator/reset` or `/seed` never lies ahead of the new
    /// org's events.
    fn default() -> Self {
        EventLog {
            events: VecDeque::new(),
            next_seq: now_ms().max(0) as u64 * 1000,
            last_ms: 0,
        }
    }
}

impl EventLog {
    /// Appends an event, dropping the oldest past [`CAPACITY`].
    pub(crate) fn record(&mut self, salt: u64, event_type: &'static str, targets: Vec<Target>) {
        self.next_seq += 1;
        let seq = self.next_seq;
        // Never earlier than the previous event: `seq` order is time order.
        self.last_ms = now_ms().max(self.last_ms);
        let h = mix(salt ^ seq);
        let h2 = mix(h);
        let uuid = format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            h >> 32,
            (h >> 16) & 0xffff,
            h & 0xfff,
            (h2 >> 52) & 0xfff,
            h2 & 0xffff_ffff_ffff
        );
        if self.events.len() == CAPACITY {
            self.events.pop_front();
        }
        self.events.push_back(LogEvent {
            seq,
            uuid,
            published_ms: self.last_ms,
            event_type,
            display_message: message(event_type),
            targets,
            transaction_id: format!("{:016x}", mix(h2)),
        });
    }

    /// Events after `seq` in order.
    pub(crate) fn after(&self, seq: u64) -> impl DoubleEndedIterator<Item = &LogEvent> {
        let start = self.events.partition_point(|e| e.seq <= seq);
        self.events.range(start..)
    }

    /// Events before `seq`, newest first.
    pub(crate) fn before_desc(&self, seq: u64) -> impl Iterator<Item = &LogEvent> {
        let end = self.events.partition_point(|e| e.seq < seq);
        self.events.range(..end).rev()
    }

    /// The `seq` of the latest event published at or before `cutoff_ms` (events are in
    /// `published` order, and `seq`s are consecutive).
    pub(crate) fn latest_until(&self, cutoff_ms: i64) -> u64 {
        let n = self.events.partition_point(|e| e.published_ms <= cutoff_ms);
        match self.events.get(n) {
            Some(e) => e.seq - 1,
            None => self.next_seq,
        }
    }

    /// The `seq` of the latest event (0 for none).
    pub(crate) fn latest(&self) -> u64 {
        self.next_seq
    }

    /// Forgets every event (the generated baseline of a synthetic org is not logged).
    pub(crate) fn clear(&mut self) {
        self.events.clear();
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.events.len()
    }
}

/// An event seen through one of its targets, for `filter` (`target.id eq …` matches when any
/// target does).
pub(crate) struct EventView<'a> {
    pub event: &'a LogEvent,
    pub target: Option<&'a Target>,
}

impl Record for EventView<'_> {
    fn field(&self, attr: &str) -> Option<Val<'_>> {
        let e = self.event;
        match attr {
            "uuid" => Some(Val::Str(&e.uuid)),
            "eventType" => Some(Val::Str(e.event_type)),
            "displayMessage" => Some(Val::Str(e.display_message)),
            "severity" => Some(Val::Str("INFO")),
            "outcome.result" => Some(Val::Str("SUCCESS")),
            "actor.id" => Some(Val::Str(ACTOR_ID)),
            "actor.type" => Some(Val::Str("PublicClientApp")),
            "actor.alternateId" | "actor.displayName" => Some(Val::Str(ACTOR_NAME)),
            "transaction.id" => Some(Val::Str(&e.transaction_id)),
            "target.id" => self.target.map(|t| Val::Str(&t.id)),
            "target.type" => self.target.map(|t| Val::Str(t.kind)),
            "target.alternateId" => self.target.map(|t| Val::Str(&t.alternate_id)),
            "target.displayName" => self.target.map(|t| Val::Str(&t.display_name)),
            _ => None,
        }
    }
}

impl LogEvent {
    /// Whether `rec` matches through any target (or the event alone when it has none).
    pub(crate) fn matches(&self, expr: &crate::query::Expr) -> bool {
        if self.targets.is_empty() {
            return crate::query::matches(
                expr,
                &EventView {
                    event: self,
                    target: None,
                },
                false,
            );
        }
        self.targets.iter().any(|t| {
            crate::query::matches(
                expr,
                &EventView {
                    event: self,
                    target: Some(t),
                },
                false,
            )
        })
    }

    /// Whether every keyword occurs (case-insensitively) in the event's text fields.
    pub(crate) fn has_keywords(&self, words: &[String]) -> bool {
        let mut text = format!(
            "{} {} {} {}",
            self.event_type, self.display_message, ACTOR_NAME, self.uuid
        );
        for t in &self.targets {
            text.push(' ');
            text.push_str(&t.id);
            text.push(' ');
            text.push_str(&t.alternate_id);
            text.push(' ');
            text.push_str(&t.display_name);
        }
        let text = text.to_lowercase();
        words.iter().all(|w| text.contains(w.as_str()))
    }

    /// Okta's LogEvent JSON.
    pub(crate) fn to_json(&self) -> Value {
        let targets: Vec<Value> = self
            .targets
            .iter()
            .map(|t| {
                json!({
                    "id": t.id,
                    "type": t.kind,
                    "alternateId": t.alternate_id,
                    "displayName": t.display_name,
                    "detailEntry": null,
                })
            })
            .collect();
        json!({
            "uuid": self.uuid,
            "published": fmt_ms(self.published_ms),
            "eventType": self.event_type,
            "version": "0",
            "severity": "INFO",
            "displayMessage": self.display_message,
            // Okta fills it only for events that had a v1 equivalent [unconfirmed].
            "legacyEventType": null,
            // [unconfirmed] The org does not know which caller made a change; every event names
            // the emulator's API client as its actor.
            "actor": {
                "id": ACTOR_ID,
                "type": "PublicClientApp",
                "alternateId": ACTOR_NAME,
                "displayName": ACTOR_NAME,
                "detailEntry": null,
            },
            "client": {
                "userAgent": null,
                "zone": "null",
                "device": "Unknown",
                "id": null,
                "ipAddress": null,
                "geographicalContext": null,
            },
            "device": null,
            "authenticationContext": {
                "authenticationProvider": null,
                "credentialProvider": null,
                "credentialType": null,
                "issuer": null,
                "interface": null,
                "authenticationStep": 0,
                "externalSessionId": null,
            },
            "securityContext": {
                "asNumber": null,
                "asOrg": null,
                "isp": null,
                "domain": null,
                "isProxy": null,
            },
            "outcome": { "result": "SUCCESS", "reason": null },
            "target": targets,
            "transaction": { "type": "WEB", "id": self.transaction_id, "detail": {} },
            "debugContext": { "debugData": { "requestId": self.transaction_id } },
            "request": { "ipChain": [] },
        })
    }
}

const ACTOR_ID: &str = "0oa1emulatorclient00";
const ACTOR_NAME: &str = "Spindle Emulator";

impl Org {
    /// Records an event about `targets`.
    pub(crate) fn log_event(&mut self, event_type: &'static str, targets: Vec<Target>) {
        let salt = self.salt;
        self.events.record(salt, event_type, targets);
    }

    /// The target describing user `seq`, if it exists.
    pub(crate) fn user_target(&self, seq: u64) -> Option<Target> {
        let u = self.user(seq)?;
        let first = u.profile.get("firstName").and_then(Value::as_str);
        let last = u.profile.get("lastName").and_then(Value::as_str);
        let display_name = match (first, last) {
            (Some(f), Some(l)) => format!("{f} {l}"),
            _ => u.login().to_owned(),
        };
        Some(Target {
            id: u.id.clone(),
            kind: "User",
            alternate_id: u.login().to_owned(),
            display_name,
        })
    }

    /// The target describing group `seq`, if it exists.
    pub(crate) fn group_target(&self, seq: u64) -> Option<Target> {
        let g = self.groups.get(&seq)?;
        Some(Target {
            id: g.id.clone(),
            kind: "UserGroup",
            alternate_id: "unknown".into(),
            display_name: g.name().to_owned(),
        })
    }

    /// Records an event about one user.
    pub(crate) fn log_user_event(&mut self, event_type: &'static str, seq: u64) {
        if let Some(t) = self.user_target(seq) {
            self.log_event(event_type, vec![t]);
        }
    }

    /// Records an event about one group.
    pub(crate) fn log_group_event(&mut self, event_type: &'static str, seq: u64) {
        if let Some(t) = self.group_target(seq) {
            self.log_event(event_type, vec![t]);
        }
    }

    /// Records a membership change: the user and the group are the targets.
    pub(crate) fn log_membership(&mut self, event_type: &'static str, group: u64, user: u64) {
        if let (Some(u), Some(g)) = (self.user_target(user), self.group_target(group)) {
            self.log_event(event_type, vec![u, g]);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target() -> Target {
        Target {
            id: "00u1".into(),
            kind: "User",
            alternate_id: "a@example.com".into(),
            display_name: "A B".into(),
        }
    }

    #[test]
    fn ring_buffer_drops_the_oldest_and_keeps_seq_order() {
        let mut log = EventLog::default();
        for _ in 0..CAPACITY + 5 {
            log.record(1, "user.lifecycle.create", vec![target()]);
        }
        assert_eq!(log.len(), CAPACITY);
        let first = log.after(0).next().map_or(0, |e| e.seq);
        assert_eq!(log.after(first).next().map(|e| e.seq), Some(first + 1));
        assert_eq!(
            log.latest() - first,
            CAPACITY as u64 - 1,
            "the oldest five fell off"
        );
        assert_eq!(log.after(log.latest() - 1).count(), 1);
        let times: Vec<i64> = log.after(0).map(|e| e.published_ms).collect();
        assert!(times.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn filter_matches_any_target_and_keywords_fold_case() {
        let mut log = EventLog::default();
        log.record(1, "group.user_membership.add", vec![target()]);
        let e = log.after(0).next().cloned().expect("one event");
        let expr = crate::query::parse(r#"target.id eq "00u1" and eventType sw "group.""#)
            .expect("parses");
        assert!(e.matches(&expr));
        let other = crate::query::parse(r#"target.id eq "00u2""#).expect("parses");
        assert!(!e.matches(&other));
        let real = crate::query::parse("target.id eq \"00u1\"").expect("parses");
        assert!(e.matches(&real), "{real:?}");
        assert!(e.has_keywords(&["membership".into(), "a@example".into()]));
        assert!(!e.has_keywords(&["suspend".into()]));
    }

    #[test]
    fn published_has_milliseconds() {
        assert_eq!(fmt_ms(1_000_123), "1970-01-01T00:16:40.123Z");
    }
}
