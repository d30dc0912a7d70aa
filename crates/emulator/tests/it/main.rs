//! Integration tests of the emulator over raw HTTP (never through the spindle-okta client).

mod admin;
mod auth;
mod faults;
mod groups;
mod lifecycle;
mod pagination;
mod query;
mod ratelimit;
mod support;
mod users;
