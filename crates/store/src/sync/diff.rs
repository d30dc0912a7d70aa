//! Which fields of a record changed: dotted paths to the values that differ.

use serde_json::Value;

/// Paths are not followed deeper than this; a deeper difference is reported at this depth.
const MAX_DEPTH: usize = 6;

/// The dotted paths (`title`, `raw.profile.title`) where `old` and `new` differ, sorted. Objects
/// are compared key by key; any other value (arrays included) is compared whole.
pub(crate) fn changed_paths(old: &Value, new: &Value) -> Vec<String> {
    let mut out = Vec::new();
    walk(old, new, &mut String::new(), 0, &mut out);
    out.sort();
    out
}

fn walk(old: &Value, new: &Value, path: &mut String, depth: usize, out: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) if depth < MAX_DEPTH => {
            let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
            for key in keys {
                let (x, y) = (
                    a.get(key).unwrap_or(&Value::Null),
                    b.get(key).unwrap_or(&Value::Null),
                );
                if x == y {
                    continue;
                }
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                walk(x, y, path, depth + 1, out);
                path.truncate(len);
            }
        }
        _ if old != new => out.push(if path.is_empty() {
            "$".to_owned()
        } else {
            path.clone()
        }),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::changed_paths;

    #[test]
    fn names_nested_leaves_and_added_or_removed_keys() {
        let old = json!({"title": "Eng", "raw": {"profile": {"title": "Eng", "city": "Oslo"}, "status": "ACTIVE"}, "phones": [1]});
        let new = json!({"title": "Mgr", "raw": {"profile": {"title": "Mgr", "zip": "1"}, "status": "ACTIVE"}, "phones": [1, 2]});
        assert_eq!(
            changed_paths(&old, &new),
            [
                "phones",
                "raw.profile.city",
                "raw.profile.title",
                "raw.profile.zip",
                "title"
            ]
        );
        assert!(changed_paths(&old, &old).is_empty());
        assert_eq!(changed_paths(&json!(1), &json!(2)), ["$"]);
    }
}
