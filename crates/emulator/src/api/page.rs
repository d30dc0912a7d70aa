//! Pagination: `limit`, opaque cursors and `Link` headers.
//!
//! A cursor is `base64url("v1|<list kind>|<key>")` where the key is the last returned row's
//! stable sort key (its creation `seq`, or `[sortValue, id]` for sorted searches, ties broken by
//! id as Okta does). Cursors are
//! opaque to clients, versioned, and bound to the list they came from: using a users cursor on a
//! groups list is an invalid cursor (400 E0000029 "Invalid paging request.", cause
//! "Invalid cursor.", as Okta answers).

use axum::http::HeaderValue;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::ApiError;
use crate::http::Params;

/// Parses `limit`: absent → `default`; below 1 → `default` (Okta treats `-1` as "default");
/// above `max` → `max` [Okta clamps; BEHAVIOR.md §17 leaves it unconfirmed]; not a number →
/// 400 E0000029.
pub(crate) fn limit(params: &Params, default: usize, max: usize) -> Result<usize, ApiError> {
    match params.get("limit") {
        None | Some("") => Ok(default),
        Some(v) => match v.trim().parse::<i64>() {
            Ok(n) if n < 1 => Ok(default),
            Ok(n) => Ok((n as u64).min(max as u64) as usize),
            Err(_) => {
                Err(ApiError::new(crate::error::E0000029).cause(format!("Invalid limit: {v}")))
            }
        },
    }
}

/// Encodes a cursor.
pub(crate) fn encode(kind: &str, key: &str) -> String {
    URL_SAFE_NO_PAD.encode(format!("v1|{kind}|{key}"))
}

/// Decodes the `after` parameter for list `kind`; `None` when absent.
pub(crate) fn decode(params: &Params, kind: &str) -> Result<Option<String>, ApiError> {
    let Some(raw) = params.get("after").filter(|a| !a.is_empty()) else {
        return Ok(None);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(raw.trim_end_matches('='))
        .map_err(|_| ApiError::bad_cursor())?;
    let text = String::from_utf8(bytes).map_err(|_| ApiError::bad_cursor())?;
    let rest = text.strip_prefix("v1|").ok_or_else(ApiError::bad_cursor)?;
    let (k, key) = rest.split_once('|').ok_or_else(ApiError::bad_cursor)?;
    if k != kind {
        return Err(ApiError::bad_cursor());
    }
    Ok(Some(key.to_owned()))
}

/// Decodes a `seq` cursor.
pub(crate) fn decode_seq(params: &Params, kind: &str) -> Result<u64, ApiError> {
    match decode(params, kind)? {
        None => Ok(0),
        Some(k) => k.parse().map_err(|_| ApiError::bad_cursor()),
    }
}

fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn url(base: &str, path: &str, params: &Params, limit: usize, after: Option<&str>) -> String {
    let mut q: Vec<String> = Vec::new();
    if let Some(a) = after {
        q.push(format!("after={}", pct(a)));
    }
    q.push(format!("limit={limit}"));
    for (k, v) in &params.0 {
        if k != "after" && k != "limit" {
            q.push(format!("{}={}", pct(k), pct(v)));
        }
    }
    format!("{base}{path}?{}", q.join("&"))
}

/// Adds `Link: <…>; rel="self"` (echoing the effective limit) and, when there is more,
/// `Link: <…after=…>; rel="next"` — one header per relation, absolute URLs.
pub(crate) fn link_headers(
    resp: &mut Response,
    base: &str,
    path: &str,
    params: &Params,
    limit: usize,
    next: Option<&str>,
) {
    let h = resp.headers_mut();
    let this = url(base, path, params, limit, params.get("after"));
    if let Ok(v) = HeaderValue::from_str(&format!("<{this}>; rel=\"self\"")) {
        h.append("link", v);
    }
    if let Some(n) = next {
        let next_url = url(base, path, params, limit, Some(n));
        if let Ok(v) = HeaderValue::from_str(&format!("<{next_url}>; rel=\"next\"")) {
            h.append("link", v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn params(p: &[(&str, &str)]) -> Params {
        Params(
            p.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn limits_default_clamp_and_reject() {
        assert_eq!(limit(&params(&[]), 200, 200).ok(), Some(200));
        assert_eq!(limit(&params(&[("limit", "5")]), 200, 200).ok(), Some(5));
        assert_eq!(
            limit(&params(&[("limit", "5000")]), 200, 200).ok(),
            Some(200)
        );
        assert_eq!(limit(&params(&[("limit", "-1")]), 20, 200).ok(), Some(20));
        assert!(limit(&params(&[("limit", "ten")]), 200, 200).is_err());
    }

    #[test]
    fn cursors_are_bound_to_their_list() {
        let c = encode("users", "42");
        assert_eq!(
            decode_seq(&params(&[("after", &c)]), "users").ok(),
            Some(42)
        );
        assert!(decode_seq(&params(&[("after", &c)]), "groups").is_err());
        assert!(decode_seq(&params(&[("after", "00u1testcursorvalue")]), "users").is_err());
    }

    proptest! {
        #[test]
        fn cursor_round_trips(kind in "[a-z]{1,10}", key in "\\PC{0,40}") {
            let c = encode(&kind, &key);
            prop_assert!(c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
            prop_assert_eq!(decode(&params(&[("after", &c)]), &kind).ok().flatten(), Some(key));
        }

        #[test]
        fn decode_never_panics(raw in "\\PC{0,40}") {
            let _ = decode(&params(&[("after", &raw)]), "users");
        }
    }
}
