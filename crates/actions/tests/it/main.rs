//! Integration tests of the action catalog.

mod reference;
mod shared;
