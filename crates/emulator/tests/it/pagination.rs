//! pagination
use crate::support::*;
