//! A recording proxy between an SDK script and the emulator: every exchange passes through
//! unchanged (Link headers rewritten to the proxy), and afterwards each `/api/v1` response
//! body is validated against the official document. This extends the schema check to the
//! stateful flows the SDK scripts drive (lifecycle, credentials, memberships, errors, 429s).

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::Response;
use parking_lot::Mutex;

use crate::spec_schema::Spec;

/// One exchange seen by the proxy.
#[derive(Debug, Clone)]
struct Captured {
    method: String,
    path: String,
    status: u16,
    body: Bytes,
}

#[derive(Debug)]
struct Shared {
    upstream: String,
    base: Mutex<String>,
    http: reqwest::Client,
    seen: Mutex<Vec<Captured>>,
}

/// A running proxy.
#[derive(Debug)]
pub struct Proxy {
    url: String,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

const HOP_BY_HOP: &[&str] = &[
    "connection",
    "transfer-encoding",
    "content-length",
    "host",
    "keep-alive",
];

impl Proxy {
    /// Starts a proxy on a free loopback port forwarding to `upstream`.
    pub async fn start(upstream: &str) -> Proxy {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port");
        let addr = listener.local_addr().expect("proxy address");
        let url = format!("http://{addr}");
        let shared = Arc::new(Shared {
            upstream: upstream.trim_end_matches('/').to_owned(),
            base: Mutex::new(url.clone()),
            http: reqwest::Client::new(),
            seen: Mutex::new(Vec::new()),
        });
        let app = axum::Router::new()
            .fallback(forward)
            .with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Proxy { url, shared, task }
    }

    /// The proxy's base URL (give it to the SDK as the org URL).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Validates every captured `/api/v1` JSON body; returns how many bodies validated and
    /// the problems found.
    pub fn validate(&self, spec: &mut Spec) -> (usize, Vec<String>) {
        let seen = self.shared.seen.lock().clone();
        let mut valid = 0;
        let mut problems = Vec::new();
        for c in seen
            .iter()
            .filter(|c| c.path.starts_with("/api/v1/") && !not_in_document(&c.method, &c.path))
        {
            if c.body.is_empty() {
                continue;
            }
            let what = format!("{} {} -> {}", c.method, c.path, c.status);
            let body: serde_json::Value = match serde_json::from_slice(&c.body) {
                Ok(v) => v,
                Err(e) => {
                    problems.push(format!("{what}: body is not JSON: {e}"));
                    continue;
                }
            };
            match spec.validate(&c.method, &c.path, c.status, &body) {
                Ok(Some(v)) if v.is_empty() => valid += 1,
                Ok(Some(v)) => {
                    problems.extend(v.into_iter().map(|v| format!("{what}: {}", v.message)))
                }
                Ok(None) => {}
                Err(e) => problems.push(format!("{what}: {e}")),
            }
        }
        (valid, problems)
    }

    /// Stops the proxy.
    pub fn stop(self) {
        self.task.abort();
    }
}

/// Endpoints in the emulator's scope that the official document doesn't have, so no schema
/// applies: `PUT /api/v1/apps/{appId}/users/{userId}` (the document assigns users with
/// `POST /api/v1/apps/{appId}/users`).
const NOT_IN_DOCUMENT: &[(&str, &str)] = &[
    ("PUT", "/api/v1/apps/*/users/*"),
    // Okta's Authentication API is documented apart from the management document, and
    // `createSession` left the current document (the 2024.06.1 one still has it)
    ("POST", "/api/v1/authn"),
    ("POST", "/api/v1/sessions"),
];

fn not_in_document(method: &str, path: &str) -> bool {
    let segs: Vec<&str> = path.split('/').collect();
    NOT_IN_DOCUMENT.iter().any(|(m, pattern)| {
        let pat: Vec<&str> = pattern.split('/').collect();
        *m == method
            && pat.len() == segs.len()
            && pat.iter().zip(&segs).all(|(p, s)| *p == "*" || p == s)
    })
}

async fn forward(State(s): State<Arc<Shared>>, req: Request) -> Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let target = req
        .uri()
        .path_and_query()
        .map_or(path.clone(), |pq| pq.as_str().to_owned());
    let mut headers = req.headers().clone();
    for h in HOP_BY_HOP {
        headers.remove(*h);
    }
    let body = match axum::body::to_bytes(req.into_body(), 64 << 20).await {
        Ok(b) => b,
        Err(e) => {
            return error(
                StatusCode::BAD_REQUEST,
                &format!("proxy could not read the request: {e}"),
            );
        }
    };
    let upstream = s
        .http
        .request(method.clone(), format!("{}{target}", s.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await;
    let resp = match upstream {
        Ok(r) => r,
        Err(e) => {
            return error(
                StatusCode::BAD_GATEWAY,
                &format!("proxy could not reach the emulator: {e}"),
            );
        }
    };
    let status = resp.status();
    let mut out_headers = resp.headers().clone();
    let bytes = resp.bytes().await.unwrap_or_default();
    for h in HOP_BY_HOP {
        out_headers.remove(*h);
    }
    // keep the SDK on the proxy when it follows Link URLs
    let base = s.base.lock().clone();
    let links: Vec<HeaderValue> = out_headers
        .get_all("link")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| HeaderValue::from_str(&v.replace(&s.upstream, &base)).ok())
        .collect();
    out_headers.remove("link");
    for l in links {
        out_headers.append(HeaderName::from_static("link"), l);
    }
    s.seen.lock().push(Captured {
        method: method.to_string(),
        path,
        status: status.as_u16(),
        body: bytes.clone(),
    });
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    *response.headers_mut() = out_headers;
    response
}

fn error(status: StatusCode, msg: &str) -> Response {
    let mut r = Response::new(Body::from(msg.to_owned()));
    *r.status_mut() = status;
    r
}
