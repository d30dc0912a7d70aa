//! Input validation: a JSON value checked against an action's schema, then turned into its typed
//! input.
//!
//! Validation runs in two passes. The JSON Schema pass (with format checks for `email`,
//! `date-time` and `uri`) collects *every* problem at once, so a caller fixes their input in one
//! round trip. Only an input that passes it is deserialized into the typed input, which can still
//! refuse it on a cross-field rule (`Action::check`). Messages are written for people: they name
//! the field by its dotted path (`body.profile.email`) and say what was expected, e.g.
//! `body.profile.email: expected an email address, got "ann"`.

use std::fmt;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

/// One thing wrong with an input: where it is and what was expected.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Problem {
    /// The dotted path of the field, e.g. `body.profile.email` or `body.groupIds[2]`; `input` for
    /// the input as a whole.
    pub path: String,
    /// What is wrong, e.g. `expected an email address, got "ann"`.
    pub message: String,
}

impl Problem {
    /// A problem at `path` (dotted form) with `message`.
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// Why an input was refused. Nothing was sent to Okta.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum InputError {
    /// No action has this id.
    #[error("unknown action `{id}`{}", did_you_mean(.suggestions))]
    UnknownAction {
        /// The id as given.
        id: String,
        /// The closest known ids, best first.
        suggestions: Vec<&'static str>,
    },
    /// The input does not satisfy the action's schema or rules.
    #[error("invalid input for `{action}`:\n{}", list(.problems))]
    Invalid {
        /// The action's id.
        action: &'static str,
        /// Every problem found, sorted by path.
        problems: Vec<Problem>,
    },
}

impl InputError {
    /// The problems of an `Invalid` input (empty for an unknown action).
    pub fn problems(&self) -> &[Problem] {
        match self {
            Self::Invalid { problems, .. } => problems,
            Self::UnknownAction { .. } => &[],
        }
    }
}

fn did_you_mean(suggestions: &[&str]) -> String {
    match suggestions {
        [] => String::new(),
        _ => format!(" (did you mean: {}?)", suggestions.join(", ")),
    }
}

fn list(problems: &[Problem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Builds the validator of a schema produced by [`crate::schema::schema_for`].
pub(crate) fn validator(schema: &Value) -> Result<Validator, String> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .map_err(|err| err.to_string())
}

/// Every schema problem of `instance`, in user-facing form, sorted and deduplicated.
pub(crate) fn schema_problems(
    validator: &Validator,
    schema: &Value,
    instance: &Value,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for error in validator.iter_errors(instance) {
        convert(&error, schema, instance, &mut problems);
    }
    problems.sort();
    problems.dedup();
    problems
}

/// A serde error (from the typed pass) in user-facing form.
pub(crate) fn serde_problem(error: &serde_path_to_error::Error<serde_json::Error>) -> Problem {
    let path = error.path().to_string();
    let path = if path == "." || path.is_empty() {
        "input".to_owned()
    } else {
        path
    };
    Problem::new(path, error.inner().to_string())
}

fn pointer_segments(pointer: &str) -> Vec<String> {
    pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect()
}

/// `/body/groupIds/2` → `body.groupIds[2]`, judged against the instance so that numeric object
/// keys stay keys.
fn dotted(pointer: &str, instance: &Value) -> String {
    let mut out = String::new();
    let mut current = Some(instance);
    for segment in pointer_segments(pointer) {
        match current {
            Some(Value::Array(items)) => {
                out.push_str(&format!("[{segment}]"));
                current = segment.parse::<usize>().ok().and_then(|i| items.get(i));
            }
            other => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&segment);
                current = other.and_then(|v| v.get(&segment));
            }
        }
    }
    if out.is_empty() {
        "input".to_owned()
    } else {
        out
    }
}

/// Whether `given` looks like a misspelling of `known` (`nmae` for `name`, `fristName` for
/// `firstName`): a small edit distance, or a high similarity for longer names.
fn close(given: &str, known: &str) -> bool {
    let (given, known) = (given.to_ascii_lowercase(), known.to_ascii_lowercase());
    given != known
        && (strsim::damerau_levenshtein(&given, &known) <= 2.min(known.len() / 3 + 1)
            || (known.len() >= 6 && strsim::jaro_winkler(&given, &known) >= 0.92))
}

fn child(path: &str, name: &str) -> String {
    if path == "input" {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}

/// The schema object holding the keyword that failed (the parent of the schema path's last
/// segment). Works because our schemas are fully inlined.
fn failing_schema<'a>(schema: &'a Value, schema_path: &str) -> Option<&'a Value> {
    let mut segments = pointer_segments(schema_path);
    segments.pop();
    let mut current = schema;
    for segment in segments {
        current = match current {
            Value::Array(items) => items.get(segment.parse::<usize>().ok()?)?,
            Value::Object(map) => map.get(&segment)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The allowed values of an enumeration: an `enum`, or a `oneOf` whose branches are each a
/// `const` (what documented enum variants become).
pub fn options(schema: &Value) -> Option<Vec<Value>> {
    let schema = non_null(schema);
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return Some(values.iter().filter(|v| !v.is_null()).cloned().collect());
    }
    if let Some(constant) = schema.get("const") {
        return Some(vec![constant.clone()]);
    }
    let branches = schema.get("oneOf")?.as_array()?;
    branches
        .iter()
        .map(|branch| branch.get("const").cloned())
        .collect()
}

/// The schema of the value of an optional field: schemars writes `Option<T>` of a complex `T` as
/// `anyOf: [T, {"type": "null"}]`; this returns `T` (or the schema itself otherwise).
pub fn non_null(schema: &Value) -> &Value {
    let Some(branches) = schema.get("anyOf").and_then(Value::as_array) else {
        return schema;
    };
    let mut kept = branches
        .iter()
        .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"));
    match (kept.next(), kept.next()) {
        (Some(only), None) => only,
        _ => schema,
    }
}

/// What a (sub)schema expects, in words: "an integer between 1 and 200", "an email address".
pub fn describe(schema: &Value) -> String {
    let schema = non_null(schema);
    if let Some(options) = options(schema) {
        let options: Vec<String> = options.iter().map(Value::to_string).collect();
        if let [only] = options.as_slice() {
            return format!("exactly {only}");
        }
        return format!("one of: {}", options.join(", "));
    }
    if let Some(constant) = schema.get("const") {
        return format!("exactly {constant}");
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let main: Vec<&str> = types.iter().copied().filter(|t| *t != "null").collect();
    let text = match main.as_slice() {
        ["string"] => describe_string(schema),
        ["integer"] | ["number"] => describe_number(schema, main[0]),
        ["boolean"] => "true or false".to_owned(),
        ["object"] => "an object".to_owned(),
        ["array"] => match schema.get("items") {
            Some(items) => format!("an array of {}", plural(&describe(items))),
            None => "an array".to_owned(),
        },
        [] => "a value".to_owned(),
        several => several
            .iter()
            .map(|t| article(t))
            .collect::<Vec<_>>()
            .join(" or "),
    };
    // `null` is accepted wherever a field is optional (it means "not given", or "clear" in a
    // profile); saying so in every message would only add noise, so it is not mentioned.
    text
}

fn plural(description: &str) -> String {
    // "a string" → "strings"; "an email address" → "email addresses" is rarer; keep it simple.
    match description {
        "a string" => "strings".to_owned(),
        "a non-empty string" => "non-empty strings".to_owned(),
        "an object" => "objects".to_owned(),
        other => format!("items that are each {other}"),
    }
}

fn article(json_type: &str) -> String {
    match json_type {
        "integer" => "an integer".to_owned(),
        "object" => "an object".to_owned(),
        "array" => "an array".to_owned(),
        other => format!("a {other}"),
    }
}

fn describe_string(schema: &Value) -> String {
    match schema.get("format").and_then(Value::as_str) {
        Some("email") => return "an email address".to_owned(),
        Some("date-time") => {
            return "a date-time such as \"2026-01-31T09:00:00.000Z\"".to_owned();
        }
        Some("date") => return "a date such as \"2026-01-31\"".to_owned(),
        Some("uri") => return "a URI such as \"https://example.com/x\"".to_owned(),
        _ => {}
    }
    let min = schema.get("minLength").and_then(Value::as_u64);
    let max = schema.get("maxLength").and_then(Value::as_u64);
    match (min, max) {
        (Some(1), None) => "a non-empty string".to_owned(),
        (Some(a), Some(b)) if a == b => format!("a string of exactly {a} characters"),
        (Some(a), Some(b)) => format!("a string of {a} to {b} characters"),
        (Some(a), None) => format!("a string of at least {a} characters"),
        (None, Some(b)) => format!("a string of at most {b} characters"),
        (None, None) => match schema.get("pattern").and_then(Value::as_str) {
            Some(pattern) => format!("a string matching {pattern}"),
            None => "a string".to_owned(),
        },
    }
}

fn describe_number(schema: &Value, json_type: &str) -> String {
    let noun = if json_type == "integer" {
        "an integer"
    } else {
        "a number"
    };
    let min = schema.get("minimum");
    let max = schema.get("maximum");
    match (min, max) {
        (Some(a), Some(b)) => format!("{noun} between {a} and {b}"),
        (Some(a), None) if a.as_u64() == Some(0) => format!(
            "a non-negative {}",
            &noun[noun.find(' ').map_or(0, |i| i + 1)..]
        ),
        (Some(a), None) => format!("{noun} of at least {a}"),
        (None, Some(b)) => format!("{noun} of at most {b}"),
        (None, None) => noun.to_owned(),
    }
}

/// A short rendering of the value that was given.
fn shown(value: &Value) -> String {
    match value {
        Value::Object(_) => "an object".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        Value::String(s) if s.chars().count() > 40 => {
            let head: String = s.chars().take(37).collect();
            format!("{:?}", format!("{head}..."))
        }
        other => other.to_string(),
    }
}

fn expected(path: String, schema: Option<&Value>, given: &Value, fallback: String) -> Problem {
    let expectation = schema.map(describe).unwrap_or(fallback);
    // A secret is never echoed back, not even a malformed one.
    if schema.and_then(|s| s.get("writeOnly")) == Some(&Value::Bool(true)) {
        return Problem::new(path, format!("expected {expectation} (value not shown)"));
    }
    Problem::new(
        path,
        format!("expected {expectation}, got {}", shown(given)),
    )
}

fn convert(error: &ValidationError<'_>, schema: &Value, instance: &Value, out: &mut Vec<Problem>) {
    let path = dotted(error.instance_path().as_str(), instance);
    let given = error.instance();
    let failing = failing_schema(schema, error.schema_path().as_str());
    match error.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned);
            // A misspelled key next to the missing one (an object that takes custom attributes,
            // like a profile, accepts it silently): point at it.
            let properties = failing
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object);
            let misspelled = given.as_object().and_then(|object| {
                object.keys().find(|key| {
                    properties.is_none_or(|p| !p.contains_key(key.as_str())) && close(key, &name)
                })
            });
            let message = match misspelled {
                Some(key) => {
                    format!("required field is missing (did you mean `{name}` instead of `{key}`?)")
                }
                None => "required field is missing".to_owned(),
            };
            out.push(Problem::new(child(&path, &name), message));
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            // Sorted, so the message does not depend on how the schema orders its properties.
            let mut known: Vec<&str> = failing
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            known.sort_unstable();
            let properties = failing
                .and_then(|s| s.get("properties"))
                .and_then(Value::as_object);
            // A field of the Okta request body given at the top level of the input.
            let body_fields = properties
                .and_then(|p| p.get("body"))
                .map(non_null)
                .and_then(|b| b.get("properties"))
                .and_then(Value::as_object);
            for name in unexpected {
                let mut message = if known.is_empty() {
                    "unknown field (this object takes no fields)".to_owned()
                } else {
                    format!("unknown field (expected one of: {})", known.join(", "))
                };
                if path == "input" && body_fields.is_some_and(|b| b.contains_key(name.as_str())) {
                    message.push_str(&format!(
                        "; did you mean {{\"body\": {{\"{name}\": …}}}}? The request body's \
                         fields go inside `body`"
                    ));
                } else if let Some(near) = known.iter().find(|k| close(name, k)) {
                    message.push_str(&format!("; did you mean `{near}`?"));
                }
                out.push(Problem::new(child(&path, name), message));
            }
        }
        ValidationErrorKind::Type { kind } => {
            let fallback = match kind {
                TypeKind::Single(t) => article(&t.to_string()),
                TypeKind::Multiple(ts) => ts
                    .into_iter()
                    .map(|t| article(&t.to_string()))
                    .collect::<Vec<_>>()
                    .join(" or "),
            };
            out.push(expected(path, failing, given, fallback));
        }
        ValidationErrorKind::Minimum { .. }
        | ValidationErrorKind::Maximum { .. }
        | ValidationErrorKind::ExclusiveMinimum { .. }
        | ValidationErrorKind::ExclusiveMaximum { .. }
        | ValidationErrorKind::MinLength { .. }
        | ValidationErrorKind::MaxLength { .. }
        | ValidationErrorKind::Pattern { .. }
        | ValidationErrorKind::Format { .. }
        | ValidationErrorKind::Enum { .. }
        | ValidationErrorKind::Constant { .. } => {
            out.push(expected(path, failing, given, error.to_string()));
        }
        ValidationErrorKind::FalseSchema
            if error
                .schema_path()
                .as_str()
                .ends_with("/additionalProperties") =>
        {
            // `additionalProperties: false` on an object without properties: every key is unknown
            // (the validator reports only the first one, so list them from the instance).
            let object = instance
                .pointer(error.instance_path().as_str())
                .and_then(Value::as_object);
            for name in object.into_iter().flat_map(|o| o.keys()) {
                out.push(Problem::new(
                    child(&path, name),
                    "unknown field (this object takes no fields)",
                ));
            }
        }
        ValidationErrorKind::MinItems { limit } => {
            out.push(Problem::new(
                path,
                format!("expected at least {limit} item(s)"),
            ));
        }
        ValidationErrorKind::MaxItems { limit } => {
            out.push(Problem::new(
                path,
                format!("expected at most {limit} items"),
            ));
        }
        ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. }
            if failing.and_then(options).is_some() =>
        {
            out.push(expected(path, failing, given, error.to_string()));
        }
        ValidationErrorKind::OneOfNotValid { context } | ValidationErrorKind::AnyOf { context } => {
            let depth = pointer_segments(error.instance_path().as_str()).len();
            one_of(&path, depth, context, failing, schema, instance, given, out);
        }
        _ => out.push(Problem::new(path, error.to_string())),
    }
}

/// A value that matches none of the shapes of a `oneOf`. Our unions are tagged (e.g. by
/// `factorType`): report the errors of the branch whose tag matches, or the tag itself when none
/// does.
#[allow(clippy::too_many_arguments)]
fn one_of(
    path: &str,
    depth: usize,
    context: &[Vec<ValidationError<'static>>],
    failing: Option<&Value>,
    schema: &Value,
    instance: &Value,
    given: &Value,
    out: &mut Vec<Problem>,
) {
    let is_tag_error = |e: &ValidationError<'_>| {
        matches!(
            e.kind(),
            ValidationErrorKind::Constant { .. } | ValidationErrorKind::Enum { .. }
        ) && pointer_segments(e.instance_path().as_str()).len() == depth + 1
    };
    let matching: Vec<&Vec<ValidationError<'static>>> = context
        .iter()
        .filter(|branch| !branch.iter().any(is_tag_error))
        .collect();
    let tag_missing = context.iter().all(|branch| {
        branch
            .iter()
            .any(|e| matches!(e.kind(), ValidationErrorKind::Required { .. }))
    });
    if let Some(best) = matching.iter().min_by_key(|b| b.len())
        && (matching.len() < context.len() || !tag_missing)
    {
        for error in best.iter() {
            convert(error, schema, instance, out);
        }
        return;
    }
    // No branch's tag matches: name the tag and its allowed values.
    let tags: Vec<(String, Value)> = failing
        .and_then(|f| f.get("oneOf").or_else(|| f.get("anyOf")))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|branch| {
            branch
                .get("properties")?
                .as_object()?
                .iter()
                .find_map(|(k, v)| Some((k.clone(), v.get("const")?.clone())))
        })
        .collect();
    if let Some((tag, _)) = tags.first() {
        let values: Vec<String> = tags.iter().map(|(_, v)| v.to_string()).collect();
        let tag_path = child(path, tag);
        match given.get(tag) {
            None => out.push(Problem::new(tag_path, "required field is missing")),
            Some(value) => out.push(Problem::new(
                tag_path,
                format!(
                    "expected one of: {}, got {}",
                    values.join(", "),
                    shown(value)
                ),
            )),
        }
    } else {
        out.push(Problem::new(
            path,
            "does not match any of the allowed shapes",
        ));
    }
}
