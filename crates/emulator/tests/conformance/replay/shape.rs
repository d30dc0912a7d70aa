//! JSON shapes (keys and value types) and their differences; mapping recorded ids to the
//! emulator's.

use std::collections::{BTreeMap, HashMap};

use serde_json::Value;

/// The shape of a JSON value: objects keep their keys, arrays merge their elements.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Shape {
    Null,
    Bool,
    Number,
    String,
    Array(Option<Box<Shape>>),
    Object(BTreeMap<String, Shape>),
    /// Elements of one array with different shapes.
    Mixed(Vec<Shape>),
}

pub(super) fn shape(v: &Value) -> Shape {
    match v {
        Value::Null => Shape::Null,
        Value::Bool(_) => Shape::Bool,
        Value::Number(_) => Shape::Number,
        Value::String(_) => Shape::String,
        Value::Object(m) => Shape::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(items) => Shape::Array(items.iter().map(shape).reduce(merge).map(Box::new)),
    }
}

/// Merges the shapes of array elements: objects union their keys.
pub(super) fn merge(a: Shape, b: Shape) -> Shape {
    match (a, b) {
        (Shape::Object(mut x), Shape::Object(y)) => {
            for (k, v) in y {
                let merged = match x.remove(&k) {
                    Some(old) => merge(old, v),
                    None => v,
                };
                x.insert(k, merged);
            }
            Shape::Object(x)
        }
        (Shape::Array(x), Shape::Array(y)) => Shape::Array(match (x, y) {
            (Some(x), Some(y)) => Some(Box::new(merge(*x, *y))),
            (x, y) => x.or(y),
        }),
        (a, b) if a == b => a,
        (Shape::Mixed(mut v), b) => {
            if !v.contains(&b) {
                v.push(b);
            }
            Shape::Mixed(v)
        }
        (a, b) => Shape::Mixed(vec![a, b]),
    }
}

pub(super) fn type_name(s: &Shape) -> &'static str {
    match s {
        Shape::Null => "null",
        Shape::Bool => "boolean",
        Shape::Number => "number",
        Shape::String => "string",
        Shape::Array(_) => "array",
        Shape::Object(_) => "object",
        Shape::Mixed(_) => "mixed",
    }
}

/// Differences between the recorded shape and the emulator's, as `(path, description)`.
/// Array elements that carry an `id` are compared with the emulator element whose id the
/// recorded one maps to (lists of a real org hold users this replay never created); other
/// arrays compare the merged shape of their elements.
pub(super) fn diff_values(
    path: &str,
    rec: &Value,
    emu: &Value,
    ids: &HashMap<String, String>,
    out: &mut Vec<(String, String)>,
) {
    match (rec, emu) {
        (Value::Object(r), Value::Object(e)) => {
            for (k, rv) in r {
                let p = format!("{path}.{k}");
                match e.get(k) {
                    Some(ev) => diff_values(&p, rv, ev, ids, out),
                    None => out.push((
                        p,
                        format!(
                            "key missing in the emulator (recorded {})",
                            type_name(&shape(rv))
                        ),
                    )),
                }
            }
            for (k, ev) in e {
                if !r.contains_key(k) {
                    out.push((
                        format!("{path}.{k}"),
                        format!(
                            "key not in the recording (emulator {})",
                            type_name(&shape(ev))
                        ),
                    ));
                }
            }
        }
        (Value::Array(r), Value::Array(e)) => {
            let id_of = |v: &Value| v.get("id").and_then(Value::as_str).map(str::to_owned);
            if r.iter().chain(e.iter()).any(|v| id_of(v).is_some()) {
                let p = format!("{path}[]");
                for rv in r {
                    let mapped = id_of(rv).and_then(|id| ids.get(&id).cloned());
                    if let Some(ev) =
                        mapped.and_then(|m| e.iter().find(|ev| id_of(ev).as_ref() == Some(&m)))
                    {
                        diff_values(&p, rv, ev, ids, out);
                    }
                }
            } else {
                diff(path, &shape(rec), &shape(emu), out);
            }
        }
        _ => diff(path, &shape(rec), &shape(emu), out),
    }
}

/// [`diff_values`] on merged shapes.
pub(super) fn diff(path: &str, rec: &Shape, emu: &Shape, out: &mut Vec<(String, String)>) {
    match (rec, emu) {
        (Shape::Object(r), Shape::Object(e)) => {
            for (k, rv) in r {
                let p = format!("{path}.{k}");
                match e.get(k) {
                    Some(ev) => diff(&p, rv, ev, out),
                    None => out.push((
                        p,
                        format!("key missing in the emulator (recorded {})", type_name(rv)),
                    )),
                }
            }
            for (k, ev) in e {
                if !r.contains_key(k) {
                    out.push((
                        format!("{path}.{k}"),
                        format!("key not in the recording (emulator {})", type_name(ev)),
                    ));
                }
            }
        }
        (Shape::Array(Some(r)), Shape::Array(Some(e))) => diff(&format!("{path}[]"), r, e, out),
        // An empty array on either side says nothing about element shapes.
        (Shape::Array(_), Shape::Array(_)) => {}
        (r, e) if r == e => {}
        (Shape::Mixed(rs), e) if rs.contains(e) => {}
        (r, e) => out.push((
            path.to_owned(),
            format!("recorded {}, emulator {}", type_name(r), type_name(e)),
        )),
    }
}

/// Fields whose string values are ids to map between the recording and the emulator
/// (`sessionToken`: primary authentication's one-time token, sent back to create a session).
pub(super) fn is_id_key(key: &str) -> bool {
    key == "id"
        || key.ends_with("Id")
        || key == "client_id"
        || key == "kid"
        || key == "sessionToken"
}

/// Records recorded-id -> emulator-id pairs found at the same place in both bodies.
pub(super) fn learn_ids(rec: &Value, emu: &Value, ids: &mut HashMap<String, String>) {
    match (rec, emu) {
        (Value::Object(r), Value::Object(e)) => {
            for (k, rv) in r {
                let Some(ev) = e.get(k) else { continue };
                match (rv, ev) {
                    (Value::String(rs), Value::String(es)) if is_id_key(k) && !rs.is_empty() => {
                        ids.entry(rs.clone()).or_insert_with(|| es.clone());
                    }
                    _ if k != "_links" => learn_ids(rv, ev, ids),
                    _ => {}
                }
            }
        }
        // Arrays pair up only when they are the same length (e.g. a list of what the
        // cassette itself created); otherwise order and content differ between orgs.
        (Value::Array(r), Value::Array(e)) if r.len() == e.len() => {
            for (rv, ev) in r.iter().zip(e) {
                learn_ids(rv, ev, ids);
            }
        }
        _ => {}
    }
}

/// Rewrites every mapped recorded id in `text`.
pub(super) fn map_ids(text: &str, ids: &HashMap<String, String>) -> String {
    let mut out = text.to_owned();
    // longest first, so an id that prefixes another can't break it
    let mut keys: Vec<&String> = ids.keys().collect();
    keys.sort_by_key(|k| std::cmp::Reverse(k.len()));
    for k in keys {
        if out.contains(k.as_str()) {
            out = out.replace(k.as_str(), &ids[k]);
        }
    }
    out
}
