//! [`Output`]: an action's output, encoded once as JSON.
//!
//! An action's typed result is encoded straight to JSON text, never through a
//! `serde_json::Value` tree: every surface writes this text out (the CLI line by line, the gateway
//! as its answer), so a page of users costs one decode of Okta's answer (where the items are kept
//! as Okta's own text, [`spindle_okta::Raw`]) and one copy. A list's items stay separate, so a
//! surface can stream them one by one.

use std::io::{self, Write};

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::actions::common::Page;
use crate::execute::ExecuteError;

/// An action's output as JSON text.
#[derive(Debug, Clone)]
pub enum Output {
    /// A page of a list: `{"items": [...], "next": "..."}`, the items kept apart.
    Page {
        /// The items, each one JSON value.
        items: Vec<Box<RawValue>>,
        /// The cursor of the next page; `None` on the last.
        next: Option<String>,
    },
    /// Any other output: one JSON value.
    One(Box<RawValue>),
}

impl Output {
    /// The items, for a page of a list.
    pub fn items(&self) -> Option<&[Box<RawValue>]> {
        match self {
            Self::Page { items, .. } => Some(items),
            Self::One(_) => None,
        }
    }

    /// The cursor of the next page, for a page of a list that has one.
    pub fn next(&self) -> Option<&str> {
        match self {
            Self::Page { next, .. } => next.as_deref(),
            Self::One(_) => None,
        }
    }

    /// The output as a JSON value tree (decodes the text: for callers that inspect the output,
    /// not for those that pass it on).
    pub fn to_value(&self) -> Value {
        // The text was produced by serde_json from a Rust value, so it is valid JSON.
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// Writes the output as compact JSON.
    ///
    /// # Errors
    /// The writer's.
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        match self {
            Self::One(json) => out.write_all(json.get().as_bytes()),
            Self::Page { items, next } => {
                out.write_all(b"{\"items\":[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    out.write_all(item.get().as_bytes())?;
                }
                out.write_all(b"]")?;
                if let Some(next) = next {
                    out.write_all(b",\"next\":")?;
                    serde_json::to_writer(&mut *out, next)?;
                }
                out.write_all(b"}")
            }
        }
    }

    /// The output as compact JSON bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(self.len_hint());
        // Writing to a Vec cannot fail.
        let _ = self.write_to(&mut bytes);
        bytes
    }

    /// The output as compact JSON bytes, moving the text of a single value (no copy).
    pub fn into_bytes(self) -> Vec<u8> {
        match self {
            Self::One(json) => Box::<str>::from(json).into_string().into_bytes(),
            page @ Self::Page { .. } => page.to_bytes(),
        }
    }

    fn len_hint(&self) -> usize {
        match self {
            Self::One(json) => json.get().len(),
            Self::Page { items, next } => {
                items.iter().map(|i| i.get().len() + 1).sum::<usize>()
                    + next.as_ref().map_or(0, |n| n.len() + 12)
                    + 16
            }
        }
    }
}

impl Serialize for Output {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::One(json) => json.serialize(serializer),
            Self::Page { items, next } => {
                let mut map = serializer.serialize_map(None)?;
                map.serialize_entry("items", items)?;
                if let Some(next) = next {
                    map.serialize_entry("next", next)?;
                }
                map.end()
            }
        }
    }
}

fn encode_error(error: &serde_json::Error) -> ExecuteError {
    ExecuteError::Output(error.to_string())
}

/// Encodes a typed output, keeping a page's items apart. Used by the registry as
/// `Encode(output).encode()`: method resolution picks [`EncodePage`] for a [`Page`] (its
/// receiver matches without a borrow) and [`EncodeOne`] for anything else (it needs one), so the
/// choice is made at compile time, per action, with no list of types to keep up to date.
pub(crate) struct Encode<T>(pub(crate) T);

/// A [`Page`]: each item encoded on its own.
pub(crate) trait EncodePage {
    fn encode(self) -> Result<Output, ExecuteError>;
}

impl<T: Serialize> EncodePage for Encode<Page<T>> {
    fn encode(self) -> Result<Output, ExecuteError> {
        let Page { items, next } = self.0;
        let items = items
            .iter()
            .map(serde_json::value::to_raw_value)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| encode_error(&e))?;
        Ok(Output::Page { items, next })
    }
}

/// Any other output: encoded whole.
pub(crate) trait EncodeOne {
    fn encode(self) -> Result<Output, ExecuteError>;
}

impl<T: Serialize> EncodeOne for &Encode<T> {
    fn encode(self) -> Result<Output, ExecuteError> {
        serde_json::value::to_raw_value(&self.0)
            .map(Output::One)
            .map_err(|e| encode_error(&e))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_page_keeps_its_items_apart_and_writes_as_the_value_would() {
        let page = Page {
            items: vec![json!({"id": "a", "n": 1}), json!({"id": "b"})],
            next: Some("c\"d".to_owned()),
        };
        let expected = serde_json::to_string(&page).unwrap();
        let output = Encode(page).encode().unwrap();
        assert_eq!(output.items().unwrap().len(), 2);
        assert_eq!(output.next(), Some("c\"d"));
        assert_eq!(String::from_utf8(output.to_bytes()).unwrap(), expected);
        assert_eq!(serde_json::to_string(&output).unwrap(), expected);
        assert_eq!(
            output.to_value(),
            serde_json::from_str::<Value>(&expected).unwrap()
        );
    }

    #[test]
    fn a_last_page_has_no_next_and_anything_else_is_one_value() {
        let last = Encode(Page::<u8> {
            items: vec![],
            next: None,
        })
        .encode()
        .unwrap();
        assert_eq!(last.to_bytes(), br#"{"items":[]}"#);
        let one = (&Encode(json!({"deleted": true}))).encode().unwrap();
        assert!(one.items().is_none());
        assert_eq!(one.to_bytes(), br#"{"deleted":true}"#);
        assert_eq!(one.into_bytes(), br#"{"deleted":true}"#);
    }
}
