//! Profile schemas (`/api/v1/meta/schemas/user/{schemaId}`, `/api/v1/meta/schemas/group/default`):
//! the model, Okta's default templates, the `POST` update semantics and the JSON view.
//!
//! Design: a schema keeps each property as the JSON object Okta renders (normalised once, when
//! it is written), so rendering is a copy and the checks in [`check`] read the same object a
//! client sees. One schema per user type (kept by type id in the org), one group schema. No
//! HTTP here: handlers pass the time in and turn a [`SchemaError`] into Okta's error body.
//!
//! Update semantics (spec `updateUserProfile`, recordings `test_user_schema_it`,
//! `test_group_schema_it`): `POST` is a partial update; a custom property sent as an object is
//! added or replaced (the definition sent is the new definition), one sent as `null` is removed
//! (with its values in every profile), one not sent is kept. Base properties can't be removed;
//! only their `permissions` and `master`, the nullability (`required`) of `firstName` and
//! `lastName`, and the `pattern` of `login` change; anything else sent must equal what is
//! stored (clients send the schema they read back, as Okta's SDK test does).

pub(crate) mod check;
mod templates;

use serde_json::{Map, Value, json};

use crate::util::fmt_ts;

pub(crate) use check::check_profile;

/// Types a custom property may have.
const TYPES: &[&str] = &["string", "integer", "number", "boolean", "array"];
/// Types an array property's items may have.
const ITEM_TYPES: &[&str] = &["string", "integer", "number", "boolean"];
/// Most unique properties per schema (spec "Unique Attributes").
pub(crate) const MAX_UNIQUE: usize = 5;
/// Okta's prose says a checked unique property reads `"unique": "UNIQUE_VALIDATED"`, but its
/// OpenAPI document (and so the SDKs' models) types `unique` as a boolean: the emulator answers
/// `true`, which both SDKs read, and accepts either form sent back.
const UNIQUE_VALIDATED: &str = "UNIQUE_VALIDATED";

/// Whose profiles a schema describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User,
    Group,
}

/// One profile schema.
#[derive(Debug, Clone)]
pub(crate) struct ProfileSchema {
    pub kind: Kind,
    pub created: i64,
    pub last_updated: i64,
    /// Base properties in Okta's order, each as rendered.
    pub base: Map<String, Value>,
    /// Custom properties in creation order, each as rendered.
    pub custom: Map<String, Value>,
}

/// A refused schema update or profile: Okta's 400 `E0000001 Api validation failed: {field}`
/// with these `errorCauses`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SchemaError {
    pub field: String,
    pub causes: Vec<String>,
}

impl SchemaError {
    pub(crate) fn one(field: &str, cause: impl Into<String>) -> Self {
        SchemaError {
            field: field.to_owned(),
            causes: vec![cause.into()],
        }
    }

    /// Okta's error body.
    pub(crate) fn api(self) -> crate::error::ApiError {
        let mut e = crate::error::ApiError::with_detail(crate::error::E0000001, &self.field);
        e.causes = self.causes;
        e
    }
}

/// The schema id Okta links a user type to (`_links.schema` of the type and of its users).
pub(crate) fn schema_id_of_type(type_id: &str) -> String {
    if type_id == crate::store::DEFAULT_USER_TYPE {
        crate::store::DEFAULT_USER_SCHEMA.to_owned()
    } else {
        format!("osc{}", type_id.get(3..).unwrap_or_default())
    }
}

/// The user type a schema id names (`default` is the default type's schema), if it is well formed.
pub(crate) fn type_of_schema_id(schema_id: &str) -> Option<String> {
    if schema_id == "default" || schema_id == crate::store::DEFAULT_USER_SCHEMA {
        return Some(crate::store::DEFAULT_USER_TYPE.to_owned());
    }
    schema_id
        .strip_prefix("osc")
        .filter(|rest| !rest.is_empty())
        .map(|rest| format!("oty{rest}"))
}

fn name_ok(n: &str) -> bool {
    let mut c = n.chars();
    c.next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && c.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl ProfileSchema {
    /// Okta's user profile template (what a new org and every new user type start with).
    pub(crate) fn user_template(created: i64) -> Self {
        ProfileSchema {
            kind: Kind::User,
            created,
            last_updated: created,
            base: templates::user_base(),
            custom: Map::new(),
        }
    }

    /// Okta's group profile template.
    pub(crate) fn group_template(created: i64) -> Self {
        ProfileSchema {
            kind: Kind::Group,
            created,
            last_updated: created,
            base: templates::group_base(),
            custom: Map::new(),
        }
    }

    /// A property's definition, base or custom.
    pub(crate) fn property(&self, name: &str) -> Option<&Value> {
        self.base.get(name).or_else(|| self.custom.get(name))
    }

    /// Whether a property is declared unique (and checked) in this schema.
    pub(crate) fn is_unique(&self, name: &str) -> bool {
        self.custom
            .get(name)
            .and_then(|p| p.get("unique"))
            .and_then(Value::as_bool)
            == Some(true)
    }

    /// Names of the unique properties.
    pub(crate) fn unique_names(&self) -> impl Iterator<Item = &str> {
        self.custom
            .iter()
            .filter(|(_, p)| p.get("unique").and_then(Value::as_bool) == Some(true))
            .map(|(k, _)| k.as_str())
    }

    /// Whether a base property is required (its `required` flag).
    pub(crate) fn required(&self, name: &str) -> bool {
        self.property(name)
            .and_then(|p| p.get("required"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// Applies a `POST` body; returns the names of the custom properties it removed (their
    /// values leave every profile) and those newly asked to be unique (the caller checks the
    /// existing values with [`ProfileSchema::mark_unique`]). Nothing changes on error.
    pub(crate) fn apply(&mut self, body: &Value, now: i64) -> Result<Applied, SchemaError> {
        let Some(defs) = body.get("definitions").filter(|d| !d.is_null()) else {
            self.last_updated = now;
            return Ok(Applied::default());
        };
        if !defs.is_object() {
            return Err(SchemaError::one(
                "definitions",
                "definitions: Does not match required type",
            ));
        }
        let mut next = self.clone();
        let mut out = Applied::default();
        if let Some(base) = section(defs, "base")? {
            for (name, sent) in base {
                next.update_base(name, sent)?;
            }
        }
        if let Some(custom) = section(defs, "custom")? {
            for (name, sent) in custom {
                if sent.is_null() {
                    if next.custom.shift_remove(name).is_some() {
                        out.removed.push(name.clone());
                    }
                    continue;
                }
                let was_unique = next.is_unique(name);
                let wants_unique = next.put_custom(name, sent)?;
                if wants_unique && !was_unique {
                    out.unique.push(name.clone());
                }
            }
        }
        if next.unique_names().count() + out.unique.len() > MAX_UNIQUE {
            return Err(SchemaError::one(
                "unique",
                format!("A maximum of {MAX_UNIQUE} unique properties is allowed per profile"),
            ));
        }
        next.last_updated = now;
        *self = next;
        Ok(out)
    }

    fn update_base(&mut self, name: &str, sent: &Value) -> Result<(), SchemaError> {
        let Some(stored) = self.base.get(name).cloned() else {
            return Err(SchemaError::one(
                name,
                format!("{name}: Property is not defined in the base schema"),
            ));
        };
        let Some(sent) = sent.as_object() else {
            return Err(SchemaError::one(
                name,
                format!("{name}: Base properties cannot be removed"),
            ));
        };
        let mut next = stored.as_object().cloned().unwrap_or_default();
        for (k, v) in sent {
            let changeable = match k.as_str() {
                "permissions" | "master" => true,
                "required" => matches!(name, "firstName" | "lastName"),
                "pattern" => name == "login",
                _ => false,
            };
            if stored.get(k) == Some(v) || (v.is_null() && stored.get(k).is_none()) {
                continue;
            }
            if !changeable {
                return Err(SchemaError::one(
                    name,
                    format!("{name}: The attribute {k} of a base property cannot be changed"),
                ));
            }
            match (k.as_str(), v) {
                ("required", Value::Bool(true)) => {
                    next.insert(k.clone(), json!(true));
                }
                ("required", Value::Bool(false)) => {
                    next.shift_remove(k);
                }
                ("pattern", Value::String(p)) => {
                    if regex::Regex::new(&format!("^(?:{p})$")).is_err() {
                        return Err(SchemaError::one(
                            name,
                            format!("{name}: The pattern is not a valid regular expression"),
                        ));
                    }
                    next.insert(k.clone(), v.clone());
                }
                ("pattern", Value::Null) => {
                    next.shift_remove(k);
                }
                ("permissions", p) => {
                    next.insert(k.clone(), permissions(name, Some(p))?);
                }
                ("master", m) => {
                    next.insert(k.clone(), m.clone());
                }
                _ => {
                    return Err(SchemaError::one(
                        name,
                        format!("{name}: {k}: Does not match required type"),
                    ));
                }
            }
        }
        self.base.insert(name.to_owned(), Value::Object(next));
        Ok(())
    }

    /// Adds or replaces a custom property; returns whether it asks to be unique.
    fn put_custom(&mut self, name: &str, sent: &Value) -> Result<bool, SchemaError> {
        if !name_ok(name) {
            return Err(SchemaError::one(
                name,
                "Invalid property name. Property name should only have alphanumeric characters \
                 and underscores. It should not start with a digit.",
            ));
        }
        if self.base.contains_key(name) {
            // [unconfirmed wording] Okta refuses a custom property named like a base one.
            return Err(SchemaError::one(
                name,
                format!("{name}: A base property with this name already exists"),
            ));
        }
        let Some(sent) = sent.as_object() else {
            return Err(SchemaError::one(
                name,
                format!("{name}: Does not match required type"),
            ));
        };
        let stored = self.custom.get(name).and_then(Value::as_object);
        // The definition sent replaces the stored one (clients send it whole, as read back).
        let d: Map<String, Value> = sent
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let (property, unique) = normalise(name, &d, self.kind)?;
        let data_type = |p: &Map<String, Value>| {
            (
                p.get("type").cloned(),
                p.get("items").and_then(|i| i.get("type")).cloned(),
            )
        };
        if let Some(old) = stored
            && data_type(old) != data_type(&property)
        {
            // [unconfirmed wording] Okta's profile editor cannot change a property's type.
            return Err(SchemaError::one(
                name,
                format!("{name}: The data type of an existing property cannot be changed"),
            ));
        }
        let mut property = property;
        if unique && stored.is_some_and(|s| s.get("unique").is_some()) {
            property.insert("unique".into(), json!(true));
        }
        self.custom.insert(name.to_owned(), Value::Object(property));
        Ok(unique)
    }

    /// Marks a property unique once the caller found no duplicate values (Okta checks existing
    /// values asynchronously and, with duplicates, leaves the property not unique).
    pub(crate) fn mark_unique(&mut self, name: &str) {
        if let Some(Value::Object(p)) = self.custom.get_mut(name) {
            p.insert("unique".into(), json!(true));
        }
    }

    /// The schema as Okta renders it. `schema_id` and `type_id` are set for user schemas.
    pub(crate) fn render(&self, base_url: &str, schema_id: &str, type_id: &str) -> Value {
        let (path, name, title, description) = match self.kind {
            Kind::User => (
                format!("user/{schema_id}"),
                "user",
                "User",
                "Okta user profile template with default permission settings",
            ),
            Kind::Group => (
                "group/default".to_owned(),
                "group",
                "Okta group",
                "Okta group profile template",
            ),
        };
        // The recordings show `id` as `.../meta/schemas/user/default` for the default type.
        let id_path = if self.kind == Kind::User && type_id == crate::store::DEFAULT_USER_TYPE {
            "user/default".to_owned()
        } else {
            path.clone()
        };
        let required = |m: &Map<String, Value>| -> Vec<String> {
            m.iter()
                .filter(|(_, p)| p.get("required").and_then(Value::as_bool) == Some(true))
                .map(|(k, _)| k.clone())
                .collect()
        };
        let mut links = Map::new();
        links.insert(
            "self".into(),
            json!({"rel": "self", "href": format!("{base_url}/api/v1/meta/schemas/{path}"), "method": "GET"}),
        );
        if self.kind == Kind::User {
            links.insert(
                "type".into(),
                json!({"rel": "type", "href": format!("{base_url}/api/v1/meta/types/user/{type_id}"), "method": "GET"}),
            );
        }
        json!({
            "id": format!("{base_url}/meta/schemas/{id_path}"),
            "$schema": "http://json-schema.org/draft-04/schema#",
            "name": name,
            "title": title,
            "description": description,
            "lastUpdated": fmt_ts(self.last_updated),
            "created": fmt_ts(self.created),
            "definitions": {
                "custom": {"id": "#custom", "type": "object", "properties": self.custom, "required": required(&self.custom)},
                "base": {"id": "#base", "type": "object", "properties": self.base, "required": required(&self.base)},
            },
            "type": "object",
            "properties": {"profile": {"allOf": [{"$ref": "#/definitions/custom"}, {"$ref": "#/definitions/base"}]}},
            "_links": links,
        })
    }
}

/// What an update changed that the org must follow up on.
#[derive(Debug, Default)]
pub(crate) struct Applied {
    /// Custom properties removed.
    pub removed: Vec<String>,
    /// Custom properties newly asked to be unique.
    pub unique: Vec<String>,
}

/// `definitions.{name}.properties` of a body, if sent.
fn section<'a>(defs: &'a Value, name: &str) -> Result<Option<&'a Map<String, Value>>, SchemaError> {
    match defs.get(name).and_then(|s| s.get("properties")) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(_) => Err(SchemaError::one(
            name,
            format!("{name}: Does not match required type"),
        )),
    }
}

/// `permissions`: `[{principal: "SELF", action: READ_ONLY|READ_WRITE|HIDE}]`.
fn permissions(name: &str, sent: Option<&Value>) -> Result<Value, SchemaError> {
    let Some(sent) = sent else {
        return Ok(json!([{"principal": "SELF", "action": "READ_ONLY"}]));
    };
    let ok = sent.as_array().is_some_and(|a| {
        a.iter().all(|p| {
            p.get("principal").and_then(Value::as_str) == Some("SELF")
                && matches!(
                    p.get("action").and_then(Value::as_str),
                    Some("READ_ONLY" | "READ_WRITE" | "HIDE")
                )
        })
    });
    if ok {
        Ok(sent.clone())
    } else {
        Err(SchemaError::one(
            name,
            format!("{name}: Invalid permissions"),
        ))
    }
}

fn value_has_type(v: &Value, t: &str) -> bool {
    match t {
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        _ => false,
    }
}

/// A custom property definition in Okta's key order, with defaults; and whether it asks to be
/// unique.
fn normalise(
    name: &str,
    d: &Map<String, Value>,
    kind: Kind,
) -> Result<(Map<String, Value>, bool), SchemaError> {
    let bad = |what: &str| SchemaError::one(name, format!("{name}: {what}"));
    let title = match d.get("title") {
        Some(Value::String(t)) if !t.trim().is_empty() => t.clone(),
        _ => return Err(bad("The field title cannot be left blank")),
    };
    let ty = match d.get("type").and_then(Value::as_str) {
        Some(t) if TYPES.contains(&t) => t.to_owned(),
        _ => {
            return Err(bad(
                "Invalid type; expected one of string, integer, number, boolean, array",
            ));
        }
    };
    let item_type = if ty == "array" {
        match d
            .get("items")
            .and_then(|i| i.get("type"))
            .and_then(Value::as_str)
        {
            Some(t) if ITEM_TYPES.contains(&t) => Some(t.to_owned()),
            _ => {
                return Err(bad(
                    "An array property needs items.type: string, integer, number or boolean",
                ));
            }
        }
    } else {
        None
    };
    let scalar = item_type.as_deref().unwrap_or(&ty).to_owned();
    let mut p = Map::new();
    p.insert("title".into(), json!(title));
    if let Some(desc) = d.get("description") {
        if !desc.is_string() {
            return Err(bad("description: Does not match required type"));
        }
        p.insert("description".into(), desc.clone());
    }
    p.insert("type".into(), json!(ty));
    if let Some(it) = &item_type {
        p.insert("items".into(), json!({"type": it}));
    }
    match d.get("required") {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => {
            p.insert("required".into(), json!(true));
        }
        Some(_) => return Err(bad("required: Does not match required type")),
    }
    p.insert(
        "mutability".into(),
        match d.get("mutability").and_then(Value::as_str) {
            None => json!("READ_WRITE"),
            Some(m @ ("READ_WRITE" | "READ_ONLY")) => json!(m),
            Some(_) => return Err(bad("Invalid mutability")),
        },
    );
    p.insert(
        "scope".into(),
        match d.get("scope").and_then(Value::as_str) {
            None => json!("NONE"),
            Some(s @ ("NONE" | "SELF")) => json!(s),
            Some(_) => return Err(bad("Invalid scope")),
        },
    );
    if let Some(e) = d.get("enum") {
        let ok = e
            .as_array()
            .is_some_and(|a| !a.is_empty() && a.iter().all(|v| value_has_type(v, &scalar)));
        if !ok {
            return Err(bad(&format!(
                "enum values must be a non-empty list of {scalar} values"
            )));
        }
        p.insert("enum".into(), e.clone());
    }
    if let Some(o) = d.get("oneOf") {
        let ok = o.as_array().is_some_and(|a| {
            !a.is_empty()
                && a.iter().all(|c| {
                    c.get("const").is_some_and(|v| value_has_type(v, &scalar))
                        && c.get("title").is_some_and(Value::is_string)
                })
        });
        if !ok {
            return Err(bad("oneOf must be a non-empty list of {const, title}"));
        }
        p.insert("oneOf".into(), o.clone());
    }
    let mut bounds = [None, None];
    for (i, k) in ["minLength", "maxLength"].iter().enumerate() {
        if let Some(v) = d.get(*k) {
            if scalar != "string" {
                return Err(bad(&format!("{k} applies only to string properties")));
            }
            let Some(n) = v.as_u64() else {
                return Err(bad(&format!("{k} must be a non-negative integer")));
            };
            bounds[i] = Some(n);
            p.insert((*k).into(), json!(n));
        }
    }
    if let [Some(min), Some(max)] = bounds
        && min > max
    {
        return Err(bad("minLength cannot exceed maxLength"));
    }
    p.insert(
        "permissions".into(),
        permissions(name, d.get("permissions"))?,
    );
    match (d.get("master"), kind) {
        (Some(m), _) if m.get("type").is_some_and(Value::is_string) => {
            p.insert("master".into(), m.clone());
        }
        (Some(_), _) => return Err(bad("master: Does not match required type")),
        // The group schema recordings show every custom property with a profile master.
        (None, Kind::Group) => {
            p.insert("master".into(), json!({"type": "PROFILE_MASTER"}));
        }
        (None, Kind::User) => {}
    }
    let unique = match d.get("unique") {
        None | Some(Value::Bool(false)) => false,
        Some(Value::Bool(true)) => true,
        // Clients echo what they read back.
        Some(Value::String(s)) => s == UNIQUE_VALIDATED || s == "PENDING_UNIQUENESS",
        Some(_) => return Err(bad("unique: Does not match required type")),
    };
    if unique && ty != "string" && ty != "integer" && ty != "number" {
        return Err(bad(
            "Only string, integer and number properties can be unique",
        ));
    }
    for k in ["externalName", "externalNamespace"] {
        if let Some(v) = d.get(k) {
            p.insert(k.into(), v.clone());
        }
    }
    Ok((p, unique))
}

#[cfg(test)]
mod tests;
