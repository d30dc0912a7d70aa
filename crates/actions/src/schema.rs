//! Turning Rust types into self-contained JSON Schema documents.
//!
//! Every schema Spindle publishes (CLI, gateway, MCP, docs) is a draft 2020-12 document with all
//! subschemas inlined: no `$ref`, no `$defs`. Consumers such as MCP clients and LLM tool callers
//! handle inlined schemas far better than references, and validation errors can then point at a
//! schema location that is a plain JSON pointer into the document. None of the types is recursive,
//! so inlining always terminates.

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde_json::Value;

/// The self-contained JSON Schema (draft 2020-12, everything inlined) of `T`.
pub fn schema_for<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    generator.into_root_schema_for::<T>().to_value()
}
