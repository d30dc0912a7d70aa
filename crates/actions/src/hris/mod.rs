//! The unified HRIS layer: Okta users seen as employees.
//!
//! Unified HRIS APIs (Knit, Merge, Finch) describe people with one `Employee` model whatever
//! system holds them. Spindle maps Okta users onto that model with pure functions, so the mapping
//! is tested without an Okta org and every surface (CLI, gateway, MCP, syncs) maps the same way.

pub mod cursor;
pub mod employee;
pub mod query;
pub mod terminate;

pub use cursor::EmployeeCursor;
pub use employee::{Employee, EmploymentStatus, Location, Manager, MappingError, Phone, PhoneType};
pub use query::{EmployeeFilters, okta_search};
pub use terminate::{
    Termination, TerminationMode, TerminationOptions, TerminationOutcome, TerminationPlan,
    TerminationStep,
};
