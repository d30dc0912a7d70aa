//! Conformance of the emulator with Okta as Okta's own clients and documents see it:
//! Okta's official Python and Node SDKs drive it (tests/sdk), schemathesis checks its
//! responses against the official OpenAPI document, and recorded real Okta exchanges are
//! replayed against it. Third-party tools come from `scripts/install-third-party`; a test
//! whose tool or `../shared` is missing skips with a message, or fails under
//! `SPINDLE_NO_SKIP=1`.

mod admin;
mod findings;
mod proxy;
mod replay;
mod resource_bodies;
mod schemathesis;
mod sdk_node;
mod sdk_paging;
mod sdk_python;
mod spec_schema;
mod support;
