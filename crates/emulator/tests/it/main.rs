//! Integration tests of the emulator over raw HTTP (never through the spindle-okta client).

mod admin;
mod aerial;
mod auth;
mod churn;
mod consistency;
mod factors;
mod faults;
mod grants;
mod group_rules;
mod groups;
mod lifecycle;
mod logs;
mod meta;
mod oauth;
mod pagination;
mod profile_schemas;
mod query;
mod ratelimit;
mod sessions;
mod support;
mod users;
