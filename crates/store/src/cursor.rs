//! Opaque, versioned keyset cursors.
//!
//! A cursor names the last row of a page by its sort key `(at, id)` so the next page starts
//! strictly after it, whatever was inserted or deleted meanwhile (no OFFSET drift). It also carries
//! a 4-byte fingerprint of the filter it was made for: a cursor presented with a different filter
//! is refused rather than silently skipping rows.
//!
//! Wire form: base64url (unpadded) of `version (1) || filter fingerprint (4) || at (i64, big
//! endian) || id (UTF-8)`. Clients must treat it as opaque; the version byte lets the format
//! change without misreading old cursors.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::StoreError;

const VERSION: u8 = 1;
const HEADER: usize = 1 + 4 + 8;
/// Longer ids than this are not ours; refusing them bounds the work done on hostile input.
const MAX_ID: usize = 128;

/// A position in a list ordered by `(at, id)` descending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub(crate) filter: [u8; 4],
    pub(crate) at: i64,
    pub(crate) id: String,
}

impl Cursor {
    pub(crate) fn encode(&self) -> String {
        let mut bytes = Vec::with_capacity(HEADER + self.id.len());
        bytes.push(VERSION);
        bytes.extend_from_slice(&self.filter);
        bytes.extend_from_slice(&self.at.to_be_bytes());
        bytes.extend_from_slice(self.id.as_bytes());
        URL_SAFE_NO_PAD.encode(bytes)
    }

    pub(crate) fn decode(text: &str) -> Result<Cursor, StoreError> {
        let invalid = |reason| StoreError::InvalidCursor { reason };
        if text.len() > (HEADER + MAX_ID) * 4 / 3 + 4 {
            return Err(invalid("too long"));
        }
        let bytes = URL_SAFE_NO_PAD
            .decode(text.trim())
            .map_err(|_| invalid("not a cursor returned by this API"))?;
        if bytes.len() < HEADER {
            return Err(invalid("not a cursor returned by this API"));
        }
        let (header, id) = bytes.split_at(HEADER);
        if header[0] != VERSION {
            return Err(invalid("unknown cursor version"));
        }
        let mut filter = [0u8; 4];
        filter.copy_from_slice(&header[1..5]);
        let mut at = [0u8; 8];
        at.copy_from_slice(&header[5..HEADER]);
        let id = String::from_utf8(id.to_vec()).map_err(|_| invalid("corrupt cursor"))?;
        if id.is_empty() || id.len() > MAX_ID {
            return Err(invalid("corrupt cursor"));
        }
        Ok(Cursor {
            filter,
            at: i64::from_be_bytes(at),
            id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn encode_then_decode_is_identity(
            filter in any::<[u8; 4]>(),
            at in any::<i64>(),
            id in "[ -~]{1,128}",
        ) {
            let cursor = Cursor { filter, at, id };
            let text = cursor.encode();
            prop_assert!(text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            prop_assert_eq!(Cursor::decode(&text).expect("decodes"), cursor);
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,300}") {
            let _ = Cursor::decode(&text);
        }

        #[test]
        fn altered_version_is_refused(at in any::<i64>(), id in "[a-z]{1,20}") {
            let mut bytes = URL_SAFE_NO_PAD
                .decode(Cursor { filter: [0; 4], at, id }.encode())
                .expect("own encoding");
            bytes[0] = 2;
            prop_assert!(Cursor::decode(&URL_SAFE_NO_PAD.encode(bytes)).is_err());
        }
    }
}
