//! Integration tests of spindle-okta (one binary).

mod aerial_host;
mod common;
mod emulator;
mod emulator_part2;
mod factor_options;
mod faults;
mod oauth;
mod observe;
mod recordings;
mod resolve;
mod rule_grant_token_pages;
mod use_cases;
