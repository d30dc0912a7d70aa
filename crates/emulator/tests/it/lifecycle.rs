//! lifecycle
use crate::support::*;
