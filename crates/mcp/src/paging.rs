//! Lists sized for an agent: a small default page, a cap on one result's size, item field
//! selection, and the cursor that continues a list cut by the cap.
//!
//! Okta's cursors point between pages, not between items, so a page cut short by the size cap
//! cannot be continued with Okta's `next`. The `next` of a cut page is instead a Spindle cursor
//! (`spx1.…`): the cursor the page was read with, how many of its items were already returned
//! and the page size. Given back in the list's own cursor field (`after`, `cursor`), it reads
//! the same page again and skips what was returned. An uncut page passes Okta's `next` through
//! unchanged, so the common case costs nothing.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// Items per call when the caller gives no `limit`.
pub const DEFAULT_LIMIT: u64 = 20;

/// The most bytes of JSON one list result carries; items past it are cut.
pub const MAX_RESULT_BYTES: usize = 40_000;

/// The extra input property of list tools naming the item fields to keep.
pub const ITEM_FIELDS: &str = "item_fields";

const PREFIX: &str = "spx1.";

/// Where a cut page continues.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resume {
    /// The cursor the page was read with (`None`: the first page).
    #[serde(rename = "c", default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// Items of that page already returned.
    #[serde(rename = "s")]
    pub skip: usize,
    /// The page size it was read with.
    #[serde(rename = "l", default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
}

impl Resume {
    /// The cursor text (`spx1.` and base64url JSON).
    pub fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(json))
    }

    /// The resume point in `text`: `None` when it is not a Spindle cursor (an Okta cursor,
    /// passed through as is), `Some(Err)` when it looks like one but is damaged.
    pub fn decode(text: &str) -> Option<Result<Resume, String>> {
        let body = text.strip_prefix(PREFIX)?;
        Some(
            URL_SAFE_NO_PAD
                .decode(body)
                .ok()
                .and_then(|bytes| serde_json::from_slice(&bytes).ok())
                .ok_or_else(|| {
                    "not a cursor this server made; pass the `next` of a previous result unchanged"
                        .to_owned()
                }),
        )
    }
}

/// How a list call is read: what the caller's input became.
#[derive(Debug, Clone, Default)]
pub struct ListCall {
    /// The name of the input's cursor field, when the list can be continued.
    pub cursor_field: Option<&'static str>,
    /// The cursor sent with this call.
    pub cursor: Option<String>,
    /// Items of the page to skip (returned by an earlier, cut result).
    pub skip: usize,
    /// The page size asked for.
    pub limit: Option<u64>,
    /// The item fields to keep (`None`: all).
    pub item_fields: Option<Vec<String>>,
}

/// Prepares a list call's input: takes out `item_fields`, turns a Spindle cursor back into the
/// list's own cursor and page size, and sets the default page size.
///
/// # Errors
/// The field and message of a malformed `item_fields` or cursor.
pub fn prepare(
    args: &mut Map<String, Value>,
    cursor_field: Option<&'static str>,
    has_limit: bool,
) -> Result<ListCall, (String, String)> {
    let mut call = ListCall {
        cursor_field,
        ..ListCall::default()
    };
    if let Some(fields) = args.remove(ITEM_FIELDS) {
        let names = fields
            .as_array()
            .and_then(|items| {
                items
                    .iter()
                    .map(|v| v.as_str().map(str::to_owned))
                    .collect::<Option<Vec<_>>>()
            })
            .ok_or_else(|| {
                (
                    ITEM_FIELDS.to_owned(),
                    format!("expected an array of field names, got {fields}"),
                )
            })?;
        call.item_fields = Some(names);
    }
    if let Some(field) = cursor_field
        && let Some(Value::String(text)) = args.get(field)
    {
        match Resume::decode(text) {
            None => call.cursor = Some(text.clone()),
            Some(Err(message)) => return Err((field.to_owned(), message)),
            Some(Ok(resume)) => {
                match &resume.cursor {
                    Some(c) => {
                        args.insert(field.to_owned(), Value::String(c.clone()));
                    }
                    None => {
                        args.remove(field);
                    }
                }
                if let Some(limit) = resume.limit {
                    args.insert("limit".to_owned(), Value::from(limit));
                }
                call.cursor = resume.cursor;
                call.skip = resume.skip;
            }
        }
    }
    if has_limit && !args.contains_key("limit") {
        args.insert("limit".to_owned(), Value::from(DEFAULT_LIMIT));
    }
    call.limit = args.get("limit").and_then(Value::as_u64);
    Ok(call)
}

/// Shapes a list output for the agent: skips what was returned before, keeps the chosen item
/// fields, and cuts
/// the items at [`MAX_RESULT_BYTES`], saying so in `truncated` and making `next` continue after
/// the last item kept.
pub fn shape(mut output: Value, call: &ListCall) -> Value {
    let Some(map) = output.as_object_mut() else {
        return output;
    };
    let Some(Value::Array(items)) = map.remove("items") else {
        return output;
    };
    let mut items: Vec<Value> = items.into_iter().skip(call.skip).collect();
    if let Some(fields) = &call.item_fields {
        for item in &mut items {
            if let Value::Object(fields_of) = item {
                fields_of.retain(|k, _| fields.contains(k));
            }
        }
    }
    // Room for `truncated` and a Spindle cursor in `next`.
    let base = serde_json::to_vec(&*map).map_or(0, |b| b.len()) + 600;
    let mut size = base;
    let mut kept = 0;
    for item in &items {
        let len = serde_json::to_vec(item).map_or(0, |b| b.len()) + 1;
        if kept > 0 && size + len > MAX_RESULT_BYTES {
            break;
        }
        size += len;
        kept += 1;
    }
    let omitted = items.len() - kept;
    items.truncate(kept);
    map.insert("items".to_owned(), Value::Array(items));
    if omitted > 0 {
        let (next, how) = match call.cursor_field {
            Some(field) => {
                let next = Resume {
                    cursor: call.cursor.clone(),
                    skip: call.skip.saturating_add(kept),
                    limit: call.limit,
                }
                .encode();
                let how = format!(
                    "the result was cut at {} KB; pass `next` as `{field}` for the rest of this \
                     page, or ask for fewer fields with `{ITEM_FIELDS}`",
                    MAX_RESULT_BYTES / 1000
                );
                (Some(next), how)
            }
            None => (
                None,
                format!(
                    "the result was cut at {} KB; ask for fewer fields with `{ITEM_FIELDS}`",
                    MAX_RESULT_BYTES / 1000
                ),
            ),
        };
        if let Some(next) = next {
            map.insert("next".to_owned(), Value::String(next));
        }
        map.insert(
            "truncated".to_owned(),
            json!({"returned": kept, "omitted": omitted, "how_to_continue": how}),
        );
    } else if call.skip > 0 && map.get("next").is_none_or(Value::is_null) {
        // The rest of a cut last page: nothing follows.
        map.insert("next".to_owned(), Value::Null);
    }
    output
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_others_pass_through() {
        let r = Resume {
            cursor: Some("00u1".into()),
            skip: 7,
            limit: Some(20),
        };
        assert_eq!(Resume::decode(&r.encode()), Some(Ok(r)));
        assert_eq!(Resume::decode("00u1abc"), None);
        assert!(matches!(Resume::decode("spx1.!!"), Some(Err(_))));
    }

    #[test]
    fn prepare_sets_the_default_page_and_reads_a_resume_cursor() {
        let mut args = Map::new();
        let call = prepare(&mut args, Some("after"), true).unwrap();
        assert_eq!(args["limit"], 20);
        assert_eq!(call.skip, 0);

        let next = Resume {
            cursor: None,
            skip: 3,
            limit: Some(50),
        }
        .encode();
        let mut args = serde_json::from_value(json!({"after": next, "limit": 5})).unwrap();
        let call = prepare(&mut args, Some("after"), true).unwrap();
        assert_eq!(Value::Object(args), json!({"limit": 50}));
        assert_eq!((call.skip, call.limit), (3, Some(50)));

        let mut args = serde_json::from_value(json!({"item_fields": "id"})).unwrap();
        let (field, _) = prepare(&mut args, None, false).unwrap_err();
        assert_eq!(field, "item_fields");
    }

    #[test]
    fn shape_cuts_at_the_cap_and_continues_after_the_last_item_kept() {
        let big = "x".repeat(1000);
        let items: Vec<Value> = (0..100).map(|i| json!({"id": i, "blob": big})).collect();
        let output = json!({"items": items, "next": "okta-next"});
        let call = ListCall {
            cursor_field: Some("after"),
            cursor: Some("okta-this".into()),
            limit: Some(100),
            ..ListCall::default()
        };
        let shaped = shape(output.clone(), &call);
        let size = serde_json::to_vec(&shaped).unwrap().len();
        assert!(size <= MAX_RESULT_BYTES, "{size}");
        let kept = shaped["items"].as_array().unwrap().len();
        assert!(kept > 10 && kept < 100, "{kept}");
        assert_eq!(shaped["truncated"]["omitted"], 100 - kept);
        let resume = Resume::decode(shaped["next"].as_str().unwrap())
            .unwrap()
            .unwrap();
        assert_eq!(resume.skip, kept);
        assert_eq!(resume.cursor.as_deref(), Some("okta-this"));

        // The rest of the page, fields narrowed: it fits, and Okta's next follows.
        let call = ListCall {
            skip: kept,
            item_fields: Some(vec!["id".into()]),
            ..call
        };
        let rest = shape(output, &call);
        assert_eq!(rest["items"].as_array().unwrap().len(), 100 - kept);
        assert_eq!(rest["items"][0], json!({"id": kept}));
        assert_eq!(rest["next"], "okta-next");
        assert!(rest.get("truncated").is_none());
    }
}
