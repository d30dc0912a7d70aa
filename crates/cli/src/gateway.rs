//! The client of a running gateway's HTTP API (`spindle serve`), shared by `spindle sync` and
//! `spindle webhooks`.
//!
//! The gateway's URL and API key come from `--gateway`/`--key` or `SPINDLE_URL`/`SPINDLE_KEY`;
//! the key is only ever sent as the `Authorization` header, never printed. A problem answer
//! becomes [`CliError::Gateway`] (exit code 5) with its detail, status and the field of each
//! input problem; an unreachable gateway [`CliError::GatewayUnreachable`] (exit code 4).

use std::time::Duration;

use clap::Args;
use reqwest::Method;
use serde_json::Value;

use crate::CliError;

/// Where the gateway is and the API key to call it with.
#[derive(Debug, Args)]
pub struct GatewayArgs {
    /// The gateway's base URL (as printed by `spindle serve`).
    #[arg(
        long = "gateway",
        env = "SPINDLE_URL",
        global = true,
        hide_env_values = true,
        value_name = "URL"
    )]
    pub gateway: Option<String>,
    /// An API key of the gateway (`spk_…`); commands that change something need a `full` key.
    #[arg(
        long,
        env = "SPINDLE_KEY",
        global = true,
        hide_env_values = true,
        value_name = "KEY",
        value_parser = ApiKey::parse
    )]
    pub key: Option<ApiKey>,
}

/// A gateway API key: its `Debug` never shows it.
#[derive(Clone)]
pub struct ApiKey(String);

impl ApiKey {
    fn parse(value: &str) -> Result<ApiKey, String> {
        Ok(ApiKey(value.trim().to_owned()))
    }
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ApiKey([redacted])")
    }
}

/// A client of one gateway with one key.
pub struct Gateway {
    http: reqwest::Client,
    base: String,
    key: ApiKey,
}

impl Gateway {
    /// A client of the gateway `args` name.
    ///
    /// # Errors
    /// [`CliError::BadInput`] without a URL or key, or with a URL that is not http(s).
    pub fn new(args: &GatewayArgs) -> Result<Gateway, CliError> {
        let base = args.gateway.as_deref().map(str::trim).unwrap_or_default();
        if base.is_empty() {
            return Err(CliError::BadInput(
                "no gateway URL: pass --gateway URL or set SPINDLE_URL (the url=… that \
                 `spindle serve` prints)"
                    .into(),
            ));
        }
        let base = url::Url::parse(base)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| {
                CliError::BadInput(format!(
                    "--gateway: expected an http(s) URL such as http://127.0.0.1:8080, got `{base}`"
                ))
            })?;
        let key = match &args.key {
            Some(key) if !key.0.is_empty() => key.clone(),
            _ => {
                return Err(CliError::BadInput(
                    "no API key: pass --key KEY or set SPINDLE_KEY (create one with `spindle \
                     keys create NAME --scope full`)"
                        .into(),
                ));
            }
        };
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(90))
            .build()
            .map_err(|e| CliError::Execute(format!("cannot build the HTTP client: {e}")))?;
        Ok(Gateway {
            http,
            base: base.as_str().trim_end_matches('/').to_owned(),
            key,
        })
    }

    /// The gateway's base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The JSON answer of `method path` (`null` for an empty success such as 204), or the
    /// gateway's problem as an error.
    ///
    /// # Errors
    /// [`CliError::Gateway`] for a problem answer, [`CliError::GatewayUnreachable`] when no
    /// answer came, [`CliError::Execute`] for a success that is not JSON.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<Value>,
    ) -> Result<Value, CliError> {
        let mut url = url::Url::parse(&format!("{}{path}", self.base))
            .map_err(|e| CliError::BadInput(format!("--gateway: {e}")))?;
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let mut request = self.http.request(method, url).bearer_auth(&self.key.0);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.map_err(|e| {
            CliError::GatewayUnreachable(format!("{}: {}", self.base, without_url(&e)))
        })?;
        let status = response.status();
        let text = response.text().await.map_err(|e| {
            CliError::GatewayUnreachable(format!("{}: {}", self.base, without_url(&e)))
        })?;
        let value: Option<Value> = serde_json::from_str(&text).ok();
        if status.is_success() {
            if text.trim().is_empty() {
                return Ok(Value::Null);
            }
            return value.ok_or_else(|| {
                CliError::Execute(format!(
                    "the gateway answered {status} with a body that is not JSON"
                ))
            });
        }
        Err(CliError::Gateway(problem_text(status, value.as_ref())))
    }
}

/// A problem document as one message: its detail and status, then each input problem's field.
fn problem_text(status: reqwest::StatusCode, problem: Option<&Value>) -> String {
    let mut text = problem
        .and_then(|v| v.get("detail"))
        .and_then(Value::as_str)
        .map_or_else(
            || format!("the gateway answered {status}"),
            |d| format!("{d} ({})", status.as_u16()),
        );
    let problems = problem
        .and_then(|v| v.get("problems"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    for item in problems {
        let path = item.get("path").and_then(Value::as_str).unwrap_or("input");
        let message = item
            .get("message")
            .or_else(|| item.get("detail"))
            .and_then(Value::as_str)
            .unwrap_or("not valid");
        text.push_str(&format!("\n  {path}: {message}"));
    }
    text
}

/// A reqwest error's text without its URL (which holds nothing secret, but repeats the base).
fn without_url(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    if let Some(url) = error.url() {
        text = text.replace(&format!(" ({url})"), "");
    }
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// `text` as one percent-encoded path segment.
pub fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}
