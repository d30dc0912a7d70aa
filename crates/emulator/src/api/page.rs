//! Pagination: `limit`, opaque cursors and `Link` headers.
//!
//! A cursor is `base64url("v1|<list kind>|<key>")` where the key is the last returned row's
//! stable sort key (its creation `seq`, or `[sortValue, id]` for sorted searches, ties broken by
//! id as Okta does). Cursors are
//! opaque to clients, versioned, and bound to the list they came from: using a users cursor on a
//! groups list is an invalid cursor (400 E0000029 "Invalid paging request.", cause
//! "Invalid cursor.", as Okta answers).

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;

use crate::error::{self, ApiError, ApiResult};
use crate::http::{Params, json_bytes};

/// The page of a list walked in creation order (`seq`): its cursor kind, the effective limit
/// and the `seq` the page starts after.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SeqPage {
    kind: &'static str,
    pub limit: usize,
    pub after: u64,
}

impl SeqPage {
    /// Reads `limit` (see [`limit`]) and the `after` cursor of list `kind`.
    pub(crate) fn read(
        params: &Params,
        kind: &'static str,
        default: usize,
        max: usize,
    ) -> ApiResult<Self> {
        SeqPage::with_limit(params, kind, limit(params, default, max)?)
    }

    /// Reads the `after` cursor of list `kind`, for a limit the caller has read.
    pub(crate) fn with_limit(params: &Params, kind: &'static str, limit: usize) -> ApiResult<Self> {
        Ok(SeqPage {
            kind,
            limit,
            after: decode_seq(params, kind)?,
        })
    }

    /// Keeps the first `limit` of `rows` (`(seq, row)` in `seq` order, all after the cursor);
    /// returns them and, when rows remain, the cursor of the next page. Reads at most one row
    /// past the page.
    pub(crate) fn take<T>(
        &self,
        rows: impl IntoIterator<Item = (u64, T)>,
    ) -> (Vec<T>, Option<String>) {
        let mut out = Vec::with_capacity(self.limit.min(1024));
        let mut last = None;
        for (seq, row) in rows {
            if out.len() == self.limit {
                let next = last.map(|s: u64| encode(self.kind, &s.to_string()));
                return (out, next);
            }
            out.push(row);
            last = Some(seq);
        }
        (out, None)
    }

    /// The answer of a list at `path`: the page [`SeqPage::take`] keeps of `rows`, with its
    /// `Link` headers.
    pub(crate) fn answer<T: Serialize>(
        &self,
        base: &str,
        path: &str,
        params: &Params,
        rows: impl IntoIterator<Item = (u64, T)>,
    ) -> ApiResult<Response> {
        let (rows, next) = self.take(rows);
        respond(base, path, params, self.limit, &rows, next.as_deref())
    }
}

/// The page of a list sorted by a key (`sortBy` searches): `rows` are `(sort key, id, row)` in
/// any order; they are sorted by key then id (reversed with `desc`), and the page starts after
/// the `after` cursor of list `kind` (the last row's key and id). Returns the page and, when
/// rows remain, the cursor of the next one.
pub(crate) fn take_sorted<T>(
    params: &Params,
    kind: &str,
    limit: usize,
    desc: bool,
    mut rows: Vec<(String, &str, T)>,
) -> ApiResult<(Vec<T>, Option<String>)> {
    let after: Option<(String, String)> = match decode(params, kind)? {
        None => None,
        Some(k) => Some(serde_json::from_str(&k).map_err(|_| ApiError::bad_cursor())?),
    };
    rows.sort_by(|a, b| (a.0.as_str(), a.1).cmp(&(b.0.as_str(), b.1)));
    if desc {
        rows.reverse();
    }
    let start = match &after {
        None => 0,
        Some((k, last_id)) => rows
            .iter()
            .position(|(rk, id, _)| {
                let o = (rk.as_str(), *id).cmp(&(k.as_str(), last_id.as_str()));
                if desc { o.is_lt() } else { o.is_gt() }
            })
            .unwrap_or(rows.len()),
    };
    let more = rows.len() - start > limit;
    let mut taken: Vec<(String, &str, T)> = rows.into_iter().skip(start).take(limit).collect();
    let next = if more {
        taken
            .last()
            .and_then(|(k, id, _)| serde_json::to_string(&(k, id)).ok())
            .map(|key| encode(kind, &key))
    } else {
        None
    };
    Ok((taken.drain(..).map(|(_, _, row)| row).collect(), next))
}

/// A list's answer: `rows` as a JSON array, with the `Link` headers of [`link_headers`].
pub(crate) fn respond<T: Serialize>(
    base: &str,
    path: &str,
    params: &Params,
    limit: usize,
    rows: &[T],
    next: Option<&str>,
) -> ApiResult<Response> {
    let bytes = serde_json::to_vec(rows).map_err(|_| ApiError::new(error::E0000009))?;
    let mut resp = json_bytes(StatusCode::OK, bytes);
    link_headers(&mut resp, base, path, params, limit, next);
    Ok(resp)
}

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
    fn seq_pages_stop_at_the_limit_and_point_past_the_last_row() {
        let page = SeqPage::read(&params(&[("limit", "2")]), "things", 20, 200)
            .unwrap_or_else(|e| panic!("{e:?}"));
        let (rows, next) = page.take([(3, "a"), (5, "b"), (9, "c")]);
        assert_eq!(rows, ["a", "b"]);
        let next = next.unwrap_or_default();
        assert_eq!(
            decode_seq(&params(&[("after", &next)]), "things").ok(),
            Some(5)
        );
        let (rows, next) = page.take([(3, "a"), (5, "b")]);
        assert_eq!(
            (rows.len(), next),
            (2, None),
            "no next page when nothing remains"
        );
    }

    #[test]
    fn sorted_pages_resume_after_the_last_key_and_id() {
        let rows = || {
            vec![
                ("b".to_owned(), "2", 2),
                ("a".to_owned(), "1", 1),
                ("b".to_owned(), "3", 3),
            ]
        };
        let (first, next) =
            take_sorted(&params(&[]), "s", 2, false, rows()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(first, [1, 2]);
        let next = next.unwrap_or_default();
        let (second, more) = take_sorted(&params(&[("after", &next)]), "s", 2, false, rows())
            .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((second, more), (vec![3], None));
        let (desc, _) =
            take_sorted(&params(&[]), "s", 3, true, rows()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(desc, [3, 2, 1]);
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
