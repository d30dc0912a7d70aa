//! groups
use crate::support::*;
