//! A profile checked against its schema's custom properties, as Okta checks every write.
//!
//! Base properties keep their own, older checks (users: `api/users.rs`, groups:
//! `api/groups.rs`), which carry Okta's documented limits and wording; this adds what a schema
//! defines: properties it does not define, custom properties' types, `enum`/`oneOf`, lengths
//! and `required`. Uniqueness needs the other profiles and is checked by the org.
//!
//! Wording: Okta's recordings show no refused custom property; the causes follow the wording of
//! Okta's documented base-property causes (`login: The field cannot be left blank`,
//! `Does not match required type`) \[unconfirmed for custom properties].

use serde_json::{Map, Value};

use super::{ProfileSchema, SchemaError, value_has_type};

/// Checks `profile` (the whole profile the write would leave) against `schema`.
///
/// # Errors
/// Every violation found, as one [`SchemaError`] (named after the first one).
pub(crate) fn check_profile(
    schema: &ProfileSchema,
    profile: &Map<String, Value>,
) -> Result<(), SchemaError> {
    let mut causes: Vec<(String, String)> = Vec::new();
    for (k, v) in profile {
        if schema.base.contains_key(k) {
            continue;
        }
        let Some(def) = schema.custom.get(k) else {
            // [unconfirmed] Okta's wording for a property its schema lacks.
            causes.push((
                k.clone(),
                format!("Property name '{k}' is not defined in profile"),
            ));
            continue;
        };
        if !v.is_null()
            && let Some(c) = value_cause(def, v)
        {
            causes.push((k.clone(), format!("{k}: {c}")));
        }
    }
    for (k, def) in &schema.custom {
        if def.get("required").and_then(Value::as_bool) == Some(true)
            && profile.get(k).is_none_or(Value::is_null)
        {
            causes.push((k.clone(), format!("{k}: The field cannot be left blank")));
        }
    }
    match causes.first() {
        None => Ok(()),
        Some((field, _)) => Err(SchemaError {
            field: field.clone(),
            causes: causes.into_iter().map(|(_, c)| c).collect(),
        }),
    }
}

/// Why a non-null value breaks a custom property's definition, if it does.
pub(crate) fn value_cause(def: &Value, v: &Value) -> Option<String> {
    let ty = def.get("type").and_then(Value::as_str).unwrap_or("string");
    if ty == "array" {
        let item = def
            .get("items")
            .and_then(|i| i.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("string");
        let Some(items) = v.as_array() else {
            return Some("Does not match required type".into());
        };
        return items.iter().find_map(|x| scalar_cause(def, item, x));
    }
    scalar_cause(def, ty, v)
}

fn scalar_cause(def: &Value, ty: &str, v: &Value) -> Option<String> {
    if !value_has_type(v, ty) {
        return Some("Does not match required type".into());
    }
    let allowed: Option<Vec<&Value>> = def
        .get("enum")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .or_else(|| {
            def.get("oneOf")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(|c| c.get("const")).collect())
        });
    if let Some(allowed) = allowed
        && !allowed.iter().any(|a| same_value(a, v))
    {
        return Some("Does not match required enum values".into());
    }
    if let Some(s) = v.as_str() {
        let n = s.chars().count() as u64;
        let min = def.get("minLength").and_then(Value::as_u64);
        let max = def.get("maxLength").and_then(Value::as_u64);
        match (min, max) {
            (Some(lo), Some(hi)) if n < lo || n > hi => {
                return Some(format!(
                    "The field must be between {lo} and {hi} characters"
                ));
            }
            (Some(lo), None) if n < lo => {
                return Some(format!("The field must be at least {lo} characters"));
            }
            (None, Some(hi)) if n > hi => {
                return Some(format!("The field cannot exceed {hi} characters"));
            }
            _ => {}
        }
    }
    None
}

/// Equality of JSON scalars, numbers by value (`1` equals `1.0`).
pub(crate) fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}
