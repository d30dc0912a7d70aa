//! The catalog of use cases: what each action is, which Okta endpoint it calls and with which
//! OAuth scopes.
//!
//! Each action declares its [`Spec`] in its own file, next to its input and its client call
//! ([`crate::actions`]); the registry ([`crate::registry`]) gathers them in the order of the
//! use-case list. They are checked by a test against the use-case list they come from, so the
//! catalog cannot silently drift from it, but nothing here reads reference files at run time.

use std::fmt;

use serde::Serialize;

/// What an action does to the data in the Okta org.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    /// Reads data and changes nothing.
    Read,
    /// Creates or changes data (including lifecycle transitions and removals of links).
    Write,
    /// Removes data.
    Delete,
}

/// What an action's call does, read from its HTTP method: `GET` reads, `DELETE` deletes, any
/// other method writes. Unlike [`Operation`], the use-case list's own label (which calls 12 of
/// the 13 removals `write`), it always says what happens; [`crate::effects`] says more (whether
/// the call destroys something, whether it is idempotent).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Effect {
    /// Reads data and changes nothing.
    Read,
    /// Creates or changes data.
    Write,
    /// Removes data (an object, a link, a session or a grant).
    Delete,
}

impl Effect {
    /// The effect of a call with `method`.
    pub const fn of(method: HttpMethod) -> Self {
        match method {
            HttpMethod::Get => Self::Read,
            HttpMethod::Delete => Self::Delete,
            HttpMethod::Post | HttpMethod::Put => Self::Write,
        }
    }

    /// The effect's name, as used in the JSON output (`"read"`, `"write"`, `"delete"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Delete => "delete",
        }
    }
}

/// Which Okta API serves an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Server {
    /// The Management API of an org, `https://{org}.okta.com/api/v1/...`.
    Management,
    /// The Okta Aerial API for multi-org accounts, `https://aerial-{region}.okta.com/{accountId}/...`.
    Aerial,
    /// The MyAccount API of an org (acts for the signed-in user), `https://{org}.okta.com/idp/myaccount/...`.
    #[serde(rename = "myaccount")]
    MyAccount,
}

/// The HTTP method of an action's Okta call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `DELETE`
    Delete,
}

impl HttpMethod {
    /// The method as it appears on the wire, e.g. `"DELETE"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Delete => "DELETE",
        }
    }
}

impl Operation {
    /// The operation's name, as used in the JSON output (`"read"`, `"write"`, `"delete"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Write => "write",
            Self::Delete => "delete",
        }
    }
}

impl Server {
    /// The server's name, as used in the JSON output (`"management"`, `"aerial"`, `"myaccount"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Management => "management",
            Self::Aerial => "aerial",
            Self::MyAccount => "myaccount",
        }
    }
}

macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}
display_as_str!(Operation, Effect, Server, HttpMethod);

/// What an action is: a named Okta use case and the Okta call behind it. Each action's file
/// declares its own (`const SPEC` of [`crate::Action`]); the catalog adds its schemas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Spec {
    /// The stable identifier, e.g. `delete_a_group`. Every surface names the action by it.
    pub id: &'static str,
    /// A short human title, e.g. "Delete a Group".
    pub title: &'static str,
    /// Whether the action reads, writes or deletes.
    pub operation: Operation,
    /// The kinds of data the action touches, as the use-case list names them.
    pub entities: &'static [&'static str],
    /// One paragraph on what the action does, its preconditions and its result.
    pub summary: &'static str,
    /// The Okta API that serves it.
    pub server: Server,
    /// The HTTP method of the Okta call.
    pub method: HttpMethod,
    /// The Okta path template, with parameters in braces, e.g. `/api/v1/groups/{groupId}`.
    pub path: &'static str,
    /// The OAuth 2.0 scopes a service app needs for the call (empty when Okta accepts only an API
    /// token for it).
    pub scopes: &'static [&'static str],
}

impl Spec {
    /// The names of the path template's parameters, in order.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        let path: &'static str = self.path;
        path.split('/')
            .filter_map(|segment| segment.strip_prefix('{')?.strip_suffix('}'))
    }
}

/// One action of the catalog: its [`Spec`] (reachable through `Deref`: `action.id`,
/// `action.path`, ...) and its schemas, which every entry has by construction.
#[derive(Serialize)]
pub struct ActionSpec {
    #[serde(flatten)]
    spec: Spec,
    /// What the call does (from its method): unlike `operation`, a removal is `delete`.
    effect: Effect,
    #[serde(skip)]
    pub(crate) typed: crate::registry::Typed,
}

impl ActionSpec {
    pub(crate) const fn new(spec: Spec, typed: crate::registry::Typed) -> Self {
        let effect = Effect::of(spec.method);
        Self {
            spec,
            effect,
            typed,
        }
    }

    /// What the action's call does: `read`, `write` or `delete`.
    pub fn effect(&self) -> Effect {
        self.effect
    }

    /// The action's description.
    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The JSON Schema of the action's input: a self-contained draft 2020-12 document.
    pub fn input_schema(&self) -> serde_json::Value {
        (self.typed.input_schema)()
    }

    /// The JSON Schema of the action's output: a self-contained draft 2020-12 document. It
    /// describes the client's models, so it says exactly what the client decodes.
    pub fn output_schema(&self) -> serde_json::Value {
        (self.typed.output_schema)()
    }

    /// A realistic example input; it always passes [`crate::validate_input`].
    pub fn example_input(&self) -> serde_json::Value {
        (self.typed.example)()
    }
}

impl std::ops::Deref for ActionSpec {
    type Target = Spec;
    fn deref(&self) -> &Spec {
        &self.spec
    }
}

impl fmt::Debug for ActionSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.spec.fmt(f)
    }
}

impl PartialEq for ActionSpec {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}

impl Eq for ActionSpec {}

/// Every action, in a stable order (the order of the use-case list).
pub fn all() -> &'static [ActionSpec] {
    &crate::registry::CATALOG
}

/// The action with this exact id, if there is one.
pub fn get(id: &str) -> Option<&'static ActionSpec> {
    all().iter().find(|action| action.id == id)
}

/// The ids closest to `id`, best first: for "did you mean" hints when an id is unknown.
///
/// An id that is a substring of a catalog id, or within a small edit distance of one, is
/// suggested; at most `max` ids come back.
pub fn suggest(id: &str, max: usize) -> Vec<&'static str> {
    let needle = id.trim().to_ascii_lowercase().replace(['-', ' '], "_");
    let mut scored: Vec<(f64, &'static str)> = all()
        .iter()
        .map(|action| {
            let mut score = strsim::jaro_winkler(&needle, action.id);
            if !needle.is_empty() && action.id.contains(&needle) {
                score += 1.0;
            }
            (score, action.id)
        })
        .filter(|(score, _)| *score >= 0.8)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(b.1)));
    scored.into_iter().take(max).map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_are_unique_and_lookups_find_them() {
        let ids: HashSet<_> = all().iter().map(|a| a.id).collect();
        assert_eq!(ids.len(), all().len());
        for action in all() {
            assert_eq!(get(action.id), Some(action));
        }
        assert_eq!(get("no_such_action"), None);
    }

    #[test]
    fn every_entry_is_complete() {
        for a in all() {
            assert!(!a.title.is_empty(), "{}: empty title", a.id);
            assert!(!a.entities.is_empty(), "{}: no entities", a.id);
            assert!(a.path.starts_with('/'), "{}: path {}", a.id, a.path);
            let words = a.summary.split_whitespace().count();
            assert!(
                (20..=120).contains(&words),
                "{}: summary of {words} words",
                a.id
            );
            assert!(
                !a.summary.contains('\n'),
                "{}: summary has a line break",
                a.id
            );
        }
    }

    #[test]
    fn every_action_has_object_schemas() {
        for action in all() {
            assert_eq!(action.input_schema()["type"], "object", "{}", action.id);
            assert_eq!(action.output_schema()["type"], "object", "{}", action.id);
        }
    }

    #[test]
    fn the_effect_says_what_the_call_does_where_the_seed_label_does_not() {
        let delete = get("delete_a_group").unwrap();
        assert_eq!(
            delete.operation,
            Operation::Write,
            "the seed's own label is kept"
        );
        assert_eq!(delete.effect(), Effect::Delete);
        let deletes = all()
            .iter()
            .filter(|a| a.effect() == Effect::Delete)
            .count();
        let labelled = all()
            .iter()
            .filter(|a| a.operation == Operation::Delete)
            .count();
        // The 13 `delete_…` use cases and `terminate_employee`, which deactivates with DELETE.
        assert_eq!(deletes, 14);
        assert_eq!(labelled, 1);
        for a in all().iter().filter(|a| a.id.starts_with("delete_")) {
            assert_eq!(a.effect(), Effect::Delete, "{}", a.id);
        }
        for a in all() {
            // A read is a read under both names.
            assert_eq!(
                a.effect() == Effect::Read,
                a.operation == Operation::Read,
                "{}",
                a.id
            );
        }
        let json = serde_json::to_value(delete).unwrap();
        assert_eq!(json["effect"], "delete");
        assert_eq!(json["operation"], "write");
    }

    #[test]
    fn path_params_are_read_from_the_template() {
        let a = get("delete_revoke_token_for_client").unwrap();
        assert_eq!(
            a.path_params().collect::<Vec<_>>(),
            ["userId", "clientId", "tokenId"]
        );
        assert_eq!(get("get_list_all_users").unwrap().path_params().count(), 0);
    }

    #[test]
    fn suggestions_rank_the_closest_ids_first() {
        assert_eq!(suggest("delete_a_grop", 3).first(), Some(&"delete_a_group"));
        assert_eq!(suggest("terminate-employee", 1), ["terminate_employee"]);
        assert!(suggest("list_all_users", 5).contains(&"get_list_all_users"));
        assert!(suggest("zzzzzzzz", 3).is_empty());
    }

    #[test]
    fn serializes_with_the_documented_keys_and_values() {
        let json = serde_json::to_value(get("get_retrieve_the_org_details").unwrap()).unwrap();
        assert_eq!(json["server"], "myaccount");
        assert_eq!(json["operation"], "read");
        assert_eq!(json["effect"], "read");
        assert_eq!(json["method"], "GET");
        assert_eq!(json["scopes"][0], "okta.myAccount.organization.read");
    }
}
