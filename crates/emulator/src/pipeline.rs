//! The request pipeline wrapping every route.
//!
//! Order for API requests: request id and `Date` → faults → concurrency limit → rate-limit
//! bucket (headers on every response, 401/403 included) → authentication → handler. The admin
//! API (`/__emulator/…`) bypasses faults, limits and auth and is not written to the request log.
//! Authentication is a plain function of the request headers ([`authenticate`]) for `SSWS`;
//! requests without an API token go through the org authorization server's gate
//! ([`crate::oauth::gate`]: the token endpoint, `Bearer`/`DPoP` access tokens).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{self, ApiError};
use crate::faults::Fault;
use crate::oauth::gate;
use crate::ratelimit::Verdict;
use crate::reqlog::Entry;
use crate::state::Shared;

/// Who made the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// An SSWS API token.
    ApiToken,
}

/// Checks the `Authorization` header: `SSWS <token>` (or `SSWS<token>`, as Python SDK 3.4.6
/// sends it). No header → 403 E0000005; anything else → 401 E0000011.
pub(crate) fn authenticate(headers: &HeaderMap, token: &str) -> Result<Principal, ApiError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Err(ApiError::new(error::E0000005));
    };
    let value = value.to_str().unwrap_or("").trim();
    if value.is_empty() {
        return Err(ApiError::new(error::E0000005));
    }
    if let Some(rest) = value.strip_prefix("SSWS")
        && constant_time_eq(rest.trim_start().as_bytes(), token.as_bytes())
    {
        return Ok(Principal::ApiToken);
    }
    Err(ApiError::new(error::E0000011))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

fn rate_headers(h: &mut HeaderMap, v: Verdict) {
    h.insert("x-rate-limit-limit", HeaderValue::from(v.limit));
    h.insert("x-rate-limit-remaining", HeaderValue::from(v.remaining));
    h.insert("x-rate-limit-reset", HeaderValue::from(v.reset));
}

fn too_many(v: Verdict) -> Response {
    let mut r = ApiError::new(error::E0000047).into_response();
    rate_headers(r.headers_mut(), v);
    r
}

struct InflightGuard<'a>(&'a Shared);
impl Drop for InflightGuard<'_> {
    fn drop(&mut self) {
        self.0.inflight.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The middleware wrapping every route.
pub(crate) async fn run(State(s): State<Arc<Shared>>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let arrived = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    // Token-endpoint parameters (client assertions) never reach the request log.
    let query = gate::loggable_query(&path, req.uri().query());
    let request_id = format!("req{}", crate::util::token(23));
    let admin = path == "/__emulator" || path.starts_with("/__emulator/");

    let (mut resp, fault) = if admin {
        (next.run(req).await, None)
    } else {
        api(&s, req, next, &method, &path).await
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("x-okta-request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&httpdate::fmt_http_date(std::time::SystemTime::now())) {
        h.insert(header::DATE, v);
    }
    if !admin {
        s.log.push(Entry {
            seq: 0,
            time: crate::util::fmt_ts((arrived / 1000) as i64),
            time_ms: arrived,
            method: method.to_string(),
            path,
            query,
            status: resp.status().as_u16(),
            duration_ms: started.elapsed().as_secs_f64() * 1000.0,
            request_id,
            fault: fault.map(|f| format!("{f:?}")),
        });
    }
    resp
}

async fn api(
    s: &Arc<Shared>,
    req: Request,
    next: Next,
    method: &axum::http::Method,
    path: &str,
) -> (Response, Option<Fault>) {
    // Counted from arrival: injected latency keeps a request in flight, as a slow Okta would.
    let inflight = s.inflight.fetch_add(1, Ordering::SeqCst) + 1;
    let _guard = InflightGuard(s);
    let decision = s.faults.decide(path);
    if let Some(d) = decision.latency {
        tokio::time::sleep(d).await;
    }
    match decision.fault {
        Some(Fault::Error(code)) => {
            let mut r = ApiError::new(error::E0000009).into_response();
            *r.status_mut() =
                StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            return (r, decision.fault);
        }
        Some(Fault::TooMany) => {
            let window = s.limiter.mode().1.as_secs().max(1) as i64;
            let v = Verdict {
                limit: s.limiter.limit_for(method, path),
                remaining: 0,
                reset: crate::util::now_secs() + window,
                allowed: false,
            };
            return (too_many(v), decision.fault);
        }
        Some(Fault::Drop) => {
            let stream = futures::stream::once(async {
                Err::<Bytes, _>(std::io::Error::new(
                    std::io::ErrorKind::ConnectionReset,
                    "fault: dropped",
                ))
            });
            let mut r = Response::new(Body::from_stream(stream));
            r.headers_mut()
                .insert(header::CONTENT_LENGTH, HeaderValue::from(1024u32));
            return (r, decision.fault);
        }
        _ => {}
    }

    if let Some(limit) = s.limiter.concurrency_limit()
        && inflight > limit
    {
        // Concurrency 429s report Limit 0 and Remaining 0 (BEHAVIOR.md §4.1).
        let v = Verdict {
            limit: 0,
            remaining: 0,
            reset: crate::util::now_secs() + 1,
            allowed: false,
        };
        return (too_many(v), None);
    }
    let verdict = s.limiter.admit(method, path);
    if !verdict.allowed {
        // Okta records a DPoP proof even when it answers 429 (a retry needs a new one).
        gate::consume_proof(s, req.headers(), method.as_str(), req.uri());
        return (too_many(verdict), None);
    }
    let mut resp = match authenticate(req.headers(), &s.token) {
        Ok(_) => next.run(req).await,
        // The token endpoint (no auth) and `Bearer`/`DPoP` access tokens.
        Err(e) => match gate::authenticate(s, req, e) {
            Ok(req) => next.run(req).await,
            Err(r) => *r,
        },
    };
    rate_headers(resp.headers_mut(), verdict);
    if decision.fault == Some(Fault::Truncate) {
        resp = truncate(resp).await;
    }
    (resp, decision.fault)
}

async fn truncate(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, usize::MAX).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let half = bytes.slice(..bytes.len() / 2);
    let stream = futures::stream::iter([
        Ok::<Bytes, std::io::Error>(half),
        Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "fault: truncated",
        )),
    ]);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    Response::from_parts(parts, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(v: Option<&str>) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Some(v) = v {
            h.insert(
                header::AUTHORIZATION,
                HeaderValue::from_str(v).unwrap_or(HeaderValue::from_static("")),
            );
        }
        h
    }

    #[test]
    fn ssws_with_and_without_space() {
        assert_eq!(
            authenticate(&headers(Some("SSWS tok")), "tok").ok(),
            Some(Principal::ApiToken)
        );
        assert_eq!(
            authenticate(&headers(Some("SSWStok")), "tok").ok(),
            Some(Principal::ApiToken)
        );
        assert_eq!(
            authenticate(&headers(Some("SSWS bad")), "tok").map_err(|e| e.code.code),
            Err("E0000011")
        );
        assert_eq!(
            authenticate(&headers(Some("Bearer tok")), "tok").map_err(|e| e.code.code),
            Err("E0000011")
        );
        assert_eq!(
            authenticate(&headers(None), "tok").map_err(|e| e.code.code),
            Err("E0000005")
        );
    }
}
