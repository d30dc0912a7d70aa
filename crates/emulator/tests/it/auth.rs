//! auth
use crate::support::*;
