//! Webhooks: the sender that delivers the outbox ([`sender`]), the receiving URL's guard
//! ([`url_policy`]) and a verification helper for Rust receivers ([`verify`]).
//!
//! Deliveries are written by the sync's commit in the same transaction as each change (see
//! [`spindle_store::Webhooks`]); the sender claims due ones under a lease, signs them with
//! [Standard Webhooks](https://www.standardwebhooks.com/) headers (`webhook-id`,
//! `webhook-timestamp`, `webhook-signature`), POSTs them, and records each attempt. Delivery is
//! at-least-once and ordered per record and endpoint; a receiver should skip a `webhook-id` it
//! has already processed.

pub mod sender;
pub mod url_policy;
pub mod verify;

pub use sender::{RetryDecision, WebhookSender, decide};
