//! query
use crate::support::*;
