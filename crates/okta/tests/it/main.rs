//! Integration tests of spindle-okta (one binary).

mod aerial_host;
mod common;
mod directory;
mod factor_options;
mod faults;
mod logs_sync;
mod oauth;
mod oauth_factors_grants;
mod observe;
mod recordings;
mod resolve;
mod rule_grant_token_pages;
mod use_cases;
