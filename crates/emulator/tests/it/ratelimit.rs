//! ratelimit
use crate::support::*;
