//! `GET /api/v1/logs`: the System Log, read from the org's event log (see `store/events.rs`).
//!
//! Two kinds of request, as Okta distinguishes them:
//! - polling (no `until`, `sortOrder=ASCENDING`): the answer always carries `rel="next"`, even
//!   on an empty page; the cursor is the `seq` of the last event looked at, so events recorded
//!   later appear behind it and none is returned twice;
//! - bounded (`until` given, or `DESCENDING`): pages end; the last page has no `rel="next"`.
//!
//! `since` defaults to seven days before `until` (or now) and is inclusive; `until` is exclusive
//! \[unconfirmed: Okta documents both as bounds of `published` without saying which are
//! inclusive]. `filter` uses the users' expression parser over the event fields of
//! [`crate::store::LogEvent`]; `target.*` comparisons match when any target does.

use std::sync::Arc;

use axum::extract::State;
use axum::response::Response;
use serde_json::Value;

use super::page;
use crate::error::{ApiError, ApiResult};
use crate::http::{BaseUrl, Params};
use crate::query;
use crate::state::Shared;
use crate::store::now_ms;
use crate::util::{now_secs, parse_ts};

const PATH: &str = "/api/v1/logs";
const KIND: &str = "logs";
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;
const WEEK_MS: i64 = 7 * 86_400 * 1000;

/// `limit`: 1 to 1000, default 100; anything else is Okta's 400 E0000001 \[unconfirmed cause
/// text].
fn read_limit(params: &Params) -> ApiResult<usize> {
    match params.get("limit") {
        None | Some("") => Ok(DEFAULT_LIMIT),
        Some(v) => match v.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(ApiError::validation(
                "limit",
                "The limit must be between 1 and 1000.",
            )),
        },
    }
}

/// A time bound in epoch milliseconds; a value that is not a date is 400 E0000001.
fn read_time(params: &Params, key: &str) -> ApiResult<Option<i64>> {
    match params.get(key).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) => parse_ts(v)
            .map(|s| Some(s * 1000 + millis_of(v)))
            .ok_or_else(|| ApiError::validation(key, "Invalid date format.")),
    }
}

/// The fraction of a second written in an ISO 8601 time (`…:05.250Z` → 250).
fn millis_of(v: &str) -> i64 {
    let Some((_, frac)) = v.split_once('.') else {
        return 0;
    };
    let digits: String = frac
        .chars()
        .take_while(char::is_ascii_digit)
        .chain("000".chars())
        .take(3)
        .collect();
    digits.parse().unwrap_or(0)
}

/// `GET /api/v1/logs` with `since`, `until`, `after`, `filter`, `q`, `limit`, `sortOrder`.
pub(crate) async fn list(
    State(s): State<Arc<Shared>>,
    BaseUrl(base): BaseUrl,
    params: Params,
) -> ApiResult<Response> {
    let limit = read_limit(&params)?;
    let desc = match params.get("sortOrder") {
        None | Some("") | Some("ASCENDING") => false,
        Some("DESCENDING") => true,
        Some(_) => {
            return Err(ApiError::validation(
                "sortOrder",
                "sortOrder must be ASCENDING or DESCENDING.",
            ));
        }
    };
    let until = read_time(&params, "until")?;
    let since = read_time(&params, "since")?
        .unwrap_or_else(|| until.unwrap_or(now_secs() * 1000) - WEEK_MS);
    let expr = match params.get("filter").filter(|f| !f.trim().is_empty()) {
        None => None,
        Some(f) => Some(query::parse(f).map_err(ApiError::bad_search)?),
    };
    let words: Vec<String> = params
        .get("q")
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect();
    let after = page::decode(&params, KIND)?
        .map(|k| k.parse::<u64>().map_err(|_| ApiError::bad_cursor()))
        .transpose()?;
    let polling = until.is_none() && !desc;

    // Okta's eventual consistency: with a lag, only events published at least that long ago
    // are visible. `published` never decreases along `seq`, so the newer ones are a suffix.
    let lag_ms = i64::try_from(s.config.consistency_lag.as_millis()).unwrap_or(i64::MAX);
    let cutoff = (lag_ms > 0).then(|| now_ms().saturating_sub(lag_ms));
    let visible = |e: &crate::store::LogEvent| cutoff.is_none_or(|c| e.published_ms <= c);

    let org = s.org.read();
    let keep = |e: &&crate::store::LogEvent| {
        e.published_ms >= since
            && until.is_none_or(|u| e.published_ms < u)
            && expr.as_ref().is_none_or(|x| e.matches(x))
            && e.has_keywords(&words)
    };
    let mut rows: Vec<Value> = Vec::new();
    let mut last = None;
    let mut full = false;
    let events: Box<dyn Iterator<Item = &crate::store::LogEvent>> = if desc {
        Box::new(
            org.events
                .before_desc(after.unwrap_or(u64::MAX))
                .skip_while(|e| !visible(e)),
        )
    } else {
        Box::new(
            org.events
                .after(after.unwrap_or(0))
                .take_while(|e| visible(e)),
        )
    };
    for e in events.filter(keep) {
        if rows.len() == limit {
            full = true;
            break;
        }
        rows.push(e.to_json());
        last = Some(e.seq);
    }
    let next = if full {
        last
    } else if polling {
        // Everything visible so far was looked at: the next poll starts after it (events still
        // within the consistency lag appear behind the cursor later).
        let latest = match cutoff {
            Some(c) => org.events.latest_until(c),
            None => org.events.latest(),
        };
        Some(latest.max(after.unwrap_or(0)))
    } else {
        None
    };
    drop(org);
    let next = next.map(|seq| page::encode(KIND, &seq.to_string()));
    page::respond(&base, PATH, &params, limit, &rows, next.as_deref())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(kv: &[(&str, &str)]) -> Params {
        Params(
            kv.iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn limit_is_one_to_a_thousand() {
        assert_eq!(read_limit(&params(&[])).ok(), Some(100));
        assert_eq!(read_limit(&params(&[("limit", "1000")])).ok(), Some(1000));
        for bad in ["0", "1001", "-1", "x"] {
            assert!(read_limit(&params(&[("limit", bad)])).is_err(), "{bad}");
        }
    }

    #[test]
    fn times_keep_their_milliseconds() {
        let t = read_time(&params(&[("since", "1970-01-01T00:00:01.250Z")]), "since");
        assert_eq!(t.ok(), Some(Some(1250)));
        assert!(read_time(&params(&[("since", "yesterday")]), "since").is_err());
    }
}
