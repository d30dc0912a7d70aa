//! faults
use crate::support::*;
