//! Turning Rust types into self-contained JSON Schema documents.
//!
//! Every schema Spindle publishes (CLI, gateway, MCP, docs) is a draft 2020-12 document with all
//! subschemas inlined: no `$ref`, no `$defs`. Consumers such as MCP clients and LLM tool callers
//! handle inlined schemas far better than references, and validation errors can then point at a
//! schema location that is a plain JSON pointer into the document. None of the types is recursive,
//! so inlining always terminates.

use schemars::JsonSchema;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use serde_json::{Map, Value};

use crate::action::Action;

/// The self-contained JSON Schema (draft 2020-12, everything inlined) of `T`.
pub fn schema_for<T: JsonSchema>() -> Value {
    let generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.inline_subschemas = true)
        .into_generator();
    generator.into_root_schema_for::<T>().to_value()
}

/// The input and output schemas of `T` for a document that collects shared definitions (an
/// OpenAPI document): nested types become `$ref`s into the generator's definitions instead of
/// being inlined, so a type used by many actions (a user, a group) is written once.
pub(crate) fn shared_schemas<T: Action>(generator: &mut SchemaGenerator) -> (Value, Value) {
    (
        T::json_schema(generator).to_value(),
        <T::Output as JsonSchema>::json_schema(generator).to_value(),
    )
}

/// Every action's input and output schema for an OpenAPI document, with the types they share.
///
/// Schemas refer to each other as `#/components/schemas/{name}`; the names of the shared
/// definitions are those of the Rust types (made unique by the generator), the actions' own
/// schemas are left for the caller to name.
#[derive(Debug, Clone)]
pub struct SharedSchemas {
    /// `(action id, input schema, output schema)`, in catalog order.
    pub actions: Vec<(&'static str, Value, Value)>,
    /// The definitions the actions' schemas refer to, by name.
    pub definitions: Map<String, Value>,
}

/// The schemas of every catalog action for an OpenAPI document (see [`SharedSchemas`]).
pub fn shared_for_openapi() -> SharedSchemas {
    let mut generator = SchemaSettings::draft2020_12()
        .with(|settings| settings.definitions_path = "/components/schemas".into())
        .into_generator();
    let actions = crate::catalog::all()
        .iter()
        .map(|action| {
            let (input, output) = (action.typed.shared_schemas)(&mut generator);
            (action.id, input, output)
        })
        .collect();
    SharedSchemas {
        actions,
        definitions: generator.take_definitions(true),
    }
}
