//! Every action, one resource per file: each action's [`Spec`](crate::catalog::Spec), input type,
//! example and client call side by side, so that grepping an action id lands on all of it.
//!
//! # Input convention
//!
//! An action's input is one JSON object:
//! - Okta's **path and query parameters** are top-level fields under Okta's exact names
//!   (`groupId`, `userIdOrLogin`, `sendEmail`, `limit`, `after`, ...);
//! - the **request body**, when Okta takes one, is the `body` field, shaped as Okta expects it.
//!
//! Unknown fields are rejected everywhere except inside user and group profiles, which carry the
//! org's custom attributes. Optional fields show Okta's default in the schema; leaving one out lets
//! Okta apply that default. The two unified-HRIS actions (`list_all_employees`,
//! `terminate_employee`) are Spindle's own and use the snake_case names of the `Employee` model.
//!
//! # Output convention
//!
//! An action outputs the Okta object it gets back; a list outputs a [`common::Page`]
//! (`{"items": [...], "next": "<cursor>"}`); a call Okta answers without a body outputs a result
//! from [`crate::outputs`].

pub mod aerial;
pub mod common;
pub mod credentials;
pub mod employees;
pub mod factors;
pub mod grants;
pub mod group_rules;
pub mod groups;
pub mod lifecycle;
pub mod linked_objects;
pub mod myaccount;
pub mod oauth_tokens;
pub mod user_resources;
pub mod user_types;
pub mod users;

/// Implements [`Action`](crate::Action)'s boilerplate-free parts for a list input whose cursor is
/// the `after` field.
macro_rules! after_cursor {
    () => {
        fn set_cursor(&mut self, next: $crate::actions::common::NonEmpty) -> bool {
            self.after = Some(next);
            true
        }
    };
}
pub(crate) use after_cursor;
