//! The shapes of what actions return: Okta's objects, typed on their key fields.
//!
//! Okta adds fields over time and orgs add custom profile attributes, so every Okta object here
//! keeps whatever it does not type (`additionalProperties` is allowed in every output schema) and
//! every field is optional: a missing field is never a reason to fail. Status-like fields are
//! plain strings for the same reason (Okta may add values); their known values are documented.
//!
//! Where Okta answers with no body (204, 202, or an empty `{}`), Spindle returns one of the
//! structured results in [`results`] instead, so an action never outputs `null`.

pub mod factor;
pub mod group;
pub mod misc;
pub mod oauth;
pub mod results;
pub mod user;
