//! Integration tests of the action catalog.

mod calls;
mod docs;
mod employees;
mod execute;
mod outputs;
mod reference;
mod robustness;
mod schemas;
mod shared;
mod validation;
