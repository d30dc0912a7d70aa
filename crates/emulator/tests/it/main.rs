//! Integration tests of the emulator over raw HTTP.

mod support;
