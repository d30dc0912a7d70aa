//! Integration tests of the action catalog.

mod docs;
mod employees;
mod execute;
mod outputs;
mod reference;
mod requests;
mod robustness;
mod schemas;
mod shared;
mod validation;
