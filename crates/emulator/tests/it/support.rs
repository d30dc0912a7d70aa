//! Helpers: start an emulator in process, send raw HTTP with the SSWS token.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};

pub struct Org {
    pub emu: Emulator,
    pub http: reqwest::Client,
}

/// Rate limits off (tests that check limits configure them).
pub async fn start_with(config: EmulatorConfig) -> Org {
    let emu = match Emulator::start(config).await {
        Ok(e) => e,
        Err(e) => panic!("emulator did not start: {e}"),
    };
    Org {
        emu,
        http: reqwest::Client::new(),
    }
}

pub async fn start() -> Org {
    start_with(EmulatorConfig {
        rate_limit: RateLimitMode::Off,
        ..Default::default()
    })
    .await
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    pub fn links(&self) -> Vec<String> {
        self.headers
            .get_all("link")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_owned))
            .collect()
    }
    /// URL of `rel="next"`, if any.
    pub fn next(&self) -> Option<String> {
        self.links()
            .into_iter()
            .find(|l| l.ends_with("rel=\"next\""))
            .and_then(|l| {
                l.split('>')
                    .next()
                    .map(|u| u.trim_start_matches('<').to_owned())
            })
    }
    pub fn code(&self) -> &str {
        self.body["errorCode"].as_str().unwrap_or("")
    }
}

impl Org {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{}", self.emu.url(), path)
        }
    }

    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self
            .http
            .request(method, self.url(path))
            .header("accept", "application/json");
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = match req.send().await {
            Ok(r) => r,
            Err(e) => panic!("request to {path} failed: {e}"),
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.bytes().await.unwrap_or_default();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        let auth = format!("SSWS {}", self.emu.token());
        self.raw(method, path, Some(&auth), body).await
    }

    /// Adds custom properties to the default user type's schema (Okta refuses a profile
    /// property its schema lacks).
    pub async fn custom_user_properties(&self, properties: Value) {
        let r = self
            .post(
                "/api/v1/meta/schemas/user/default",
                json!({"definitions": {"custom": {"properties": properties}}}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.call(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.call(Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.call(Method::DELETE, path, None).await
    }

    /// Creates a user; `password` None = no credentials.
    pub async fn user(&self, login: &str, password: Option<&str>, activate: bool) -> Value {
        let mut body = json!({ "profile": { "firstName": "Test", "lastName": "User", "email": login, "login": login } });
        if let Some(p) = password {
            body["credentials"] = json!({ "password": { "value": p }, "recovery_question": { "question": "Favourite colour?", "answer": "blue sky" } });
        }
        let r = self
            .post(&format!("/api/v1/users?activate={activate}"), body)
            .await;
        assert_eq!(r.status, 200, "create user: {}", r.body);
        r.body
    }

    pub async fn group(&self, name: &str) -> Value {
        let r = self
            .post(
                "/api/v1/groups",
                json!({ "profile": { "name": name, "description": "d" } }),
            )
            .await;
        assert_eq!(r.status, 200, "create group: {}", r.body);
        r.body
    }

    /// Follows `rel="next"` from `path`, returning every row's id.
    pub async fn walk(&self, path: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut next = Some(path.to_owned());
        let mut pages = 0;
        while let Some(url) = next {
            let r = self.get(&url).await;
            assert_eq!(r.status, 200, "{url}: {}", r.body);
            for row in r.body.as_array().cloned().unwrap_or_default() {
                out.push(row["id"].as_str().unwrap_or_default().to_owned());
            }
            next = r.next();
            pages += 1;
            assert!(pages < 10_000, "walk does not end");
        }
        out
    }

    pub async fn admin(&self, method: Method, path: &str, body: Option<Value>) -> Resp {
        self.raw(method, path, None, body).await
    }
}

pub const PW: &str = "Sup3r-Secret-Pass";

#[tokio::test]
async fn starts_on_a_free_port_and_shuts_down() {
    let org = start().await;
    assert!(org.emu.url().starts_with("http://127.0.0.1:"));
    assert!(!org.emu.url().ends_with('/'));
    assert!(!format!("{:?}", org.emu).contains(org.emu.token()));
    let r = org.get("/api/v1/users").await;
    assert_eq!(r.status, 200);
    org.emu.shutdown().await;
}
