//! admin
use crate::support::*;
