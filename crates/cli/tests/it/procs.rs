//! Real `spindle` processes for the tests that kill them: the emulator and gateways as child
//! processes, the gateway's and the org's HTTP APIs, and the comparison of the store with the
//! org.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::spindle;

/// `spindle emulator --users USERS --groups GROUPS --rate-limit off` in `dir`; returns it, its
/// org URL and its token.
pub(crate) fn emulator(dir: &Path, users: u32, groups: u32) -> (Proc, String, String) {
    let (users, groups) = (users.to_string(), groups.to_string());
    let (emulator, first) = Proc::start(
        dir,
        &[
            "emulator",
            "--addr",
            "127.0.0.1:0",
            "--users",
            &users,
            "--groups",
            &groups,
            "--rate-limit",
            "off",
        ],
    );
    let rest = first
        .strip_prefix("org_url=")
        .expect("org_url=<url> token=<token>");
    let (org, token) = rest
        .split_once(" token=")
        .expect("org_url=<url> token=<token>");
    (emulator, org.to_owned(), token.to_owned())
}

/// `spindle serve --addr 127.0.0.1:0 ARGS` in `dir`; returns it and its URL.
pub(crate) fn serve(dir: &Path, args: &[&str]) -> (Proc, String) {
    let mut all = vec!["serve", "--addr", "127.0.0.1:0"];
    all.extend_from_slice(args);
    let (proc, first) = Proc::start(dir, &all);
    let url = first.strip_prefix("url=").expect("url=<url>");
    (
        proc,
        url.split_whitespace().next().expect("a URL").to_owned(),
    )
}

/// A child process killed (SIGKILL) when dropped, so a failing test leaves nothing behind.
pub(crate) struct Proc(pub(crate) Child);

impl Proc {
    /// Starts `spindle ARGS` in `dir`; returns it and its first stdout line (the rest of its
    /// stdout is drained in the background).
    pub(crate) fn start(dir: &Path, args: &[&str]) -> (Proc, String) {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("spindle"))
            .args(args)
            .current_dir(dir)
            .env_remove("SPINDLE_MASTER_KEY")
            .env_remove("SPINDLE_DATABASE_URL")
            .env_remove("RUST_LOG")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spindle starts");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first = String::new();
        stdout.read_line(&mut first).expect("a first line");
        std::thread::spawn(move || {
            let _ = stdout.read_to_end(&mut Vec::new());
        });
        (Proc(child), first.trim_end().to_owned())
    }

    /// SIGKILL, and reap.
    pub(crate) fn kill(mut self) {
        self.0.kill().expect("SIGKILL");
        self.0.wait().expect("reaped");
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `spindle ARGS` in `dir` (the store `dir/spindle.db`, the master key `dir/spindle.key`);
/// returns its stdout.
pub(crate) fn cli(dir: &Path, args: &[&str], stdin: &str) -> String {
    let out = spindle()
        .current_dir(dir)
        .env_remove("SPINDLE_MASTER_KEY")
        .env_remove("SPINDLE_MASTER_KEY_FILE")
        .env_remove("SPINDLE_DATABASE_URL")
        .args(args)
        .write_stdin(stdin)
        .assert()
        .success();
    String::from_utf8_lossy(&out.get_output().stdout).into_owned()
}

/// The gateway's and the org's HTTP APIs.
pub(crate) struct Api {
    pub(crate) http: reqwest::Client,
    pub(crate) gateway: String,
    pub(crate) key: String,
    pub(crate) org: String,
    pub(crate) token: String,
    pub(crate) conn: String,
}

impl Api {
    pub(crate) async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let mut request = self
            .http
            .request(
                method.parse().expect("method"),
                format!("{}{path}", self.gateway),
            )
            .bearer_auth(&self.key);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let resp = request.send().await.expect("the gateway answers");
        let status = resp.status();
        let body: Value = resp.json().await.expect("JSON");
        assert!(status.is_success(), "{method} {path}: {status} {body}");
        body
    }

    pub(crate) async fn run(&self, id: &str) -> Value {
        self.call(
            "GET",
            &format!("/v1/connections/{}/sync/runs/{id}", self.conn),
            None,
        )
        .await
    }

    pub(crate) async fn queue(&self, full: bool) -> Value {
        self.call(
            "POST",
            &format!("/v1/connections/{}/sync/run", self.conn),
            Some(json!({ "full": full })),
        )
        .await
    }

    /// Polls run `id` until `done` holds for it (at most `secs`); returns it.
    pub(crate) async fn wait_run(
        &self,
        id: &str,
        secs: u64,
        done: impl Fn(&Value) -> bool,
    ) -> Value {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            let run = self.run(id).await;
            if done(&run) {
                return run;
            }
            assert!(
                Instant::now() < deadline,
                "gave up waiting ({secs} s): {run}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// `changes` random changes in the org, deterministic for `seed`.
    pub(crate) async fn churn(&self, seed: u64, changes: u32) {
        let resp = self
            .http
            .post(format!("{}/__emulator/churn", self.org))
            .json(&json!({"changes": changes, "seed": seed}))
            .send()
            .await
            .expect("churn");
        assert!(resp.status().is_success(), "churn: {}", resp.status());
    }

    /// Every page of a raw Okta list.
    pub(crate) async fn okta_list(&self, path_and_query: &str) -> Vec<Value> {
        let mut url = format!("{}{path_and_query}", self.org);
        let mut out = Vec::new();
        loop {
            let resp = self
                .http
                .get(&url)
                .header("authorization", format!("SSWS {}", self.token))
                .send()
                .await
                .expect("the org answers");
            assert!(resp.status().is_success(), "{url}: {}", resp.status());
            let next = resp
                .headers()
                .get_all("link")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.contains("rel=\"next\""))
                .and_then(|v| v.split(['<', '>']).nth(1))
                .map(str::to_owned);
            out.extend(resp.json::<Vec<Value>>().await.expect("a JSON list"));
            match next {
                Some(n) if n != url => url = n,
                _ => return out,
            }
        }
    }

    /// The org as Okta serves it.
    pub(crate) async fn org(&self) -> State {
        let mut state = State::default();
        let users = self
            .okta_list("/api/v1/users?limit=200")
            .await
            .into_iter()
            .chain(
                self.okta_list("/api/v1/users?limit=200&filter=status%20eq%20%22DEPROVISIONED%22")
                    .await,
            );
        for u in users {
            state.users.insert(id(&u), normal(&u));
        }
        for g in self.okta_list("/api/v1/groups?limit=1000").await {
            let gid = id(&g);
            for m in self
                .okta_list(&format!("/api/v1/groups/{gid}/users?limit=1000"))
                .await
            {
                state.memberships.insert((gid.clone(), id(&m)));
            }
            state.groups.insert(gid, normal(&g));
        }
        state
    }

    /// The store's records, through `GET …/records/{object}`.
    pub(crate) async fn records(&self) -> State {
        let mut state = State::default();
        for object in ["employees", "groups", "memberships"] {
            let base = format!("/v1/connections/{}/records/{object}?limit=1000", self.conn);
            let mut page = self.call("GET", &base, None).await;
            loop {
                for r in page["items"].as_array().expect("items") {
                    assert!(r["deleted_at"].is_null(), "{r}");
                    let mut data = r.clone();
                    let fields = data.as_object_mut().expect("an object");
                    fields.remove("deleted_at");
                    fields.remove("version");
                    // Memberships have no id: `put` reads their two halves.
                    state.put(object, r["id"].as_str().unwrap_or_default(), &data);
                }
                let Some(next) = page["next"].as_str() else {
                    break;
                };
                page = self
                    .call("GET", &format!("{base}&cursor={next}"), None)
                    .await;
            }
        }
        state
    }

    /// The state `GET …/changes` replays to from its beginning: contiguous `seq`, and no change
    /// repeats its record's previous content.
    pub(crate) async fn replay(&self) -> State {
        let mut state = State::default();
        let mut last: BTreeMap<(String, String), Value> = BTreeMap::new();
        let mut seq = 0;
        let mut path = format!("/v1/connections/{}/changes?limit=1000", self.conn);
        loop {
            let page = self.call("GET", &path, None).await;
            let items = page["items"].as_array().expect("items");
            if items.is_empty() {
                return state;
            }
            for c in items {
                assert_eq!(c["seq"], seq + 1, "contiguous seq: {c}");
                seq += 1;
                let object = c["object"].as_str().expect("object").to_owned();
                let record = c["record_id"].as_str().expect("record_id").to_owned();
                let kind = c["type"].as_str().expect("type");
                let key = (object.clone(), record.clone());
                if kind.ends_with(".deleted") || kind.ends_with(".removed") {
                    last.remove(&key);
                    state.remove(&object, &record);
                } else {
                    assert_ne!(
                        last.get(&key),
                        Some(&c["data"]),
                        "change {seq} repeats {record}'s previous content"
                    );
                    last.insert(key, c["data"].clone());
                    state.put(&object, &record, &c["data"]);
                }
            }
            let next = page["next"].as_str().expect("next");
            path = format!(
                "/v1/connections/{}/changes?limit=1000&after={next}",
                self.conn
            );
        }
    }
}

pub(crate) fn id(v: &Value) -> String {
    v["id"].as_str().expect("an id").to_owned()
}

/// Without `_links` and explicit nulls (an absent field and a null are the same to Okta).
pub(crate) fn normal(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, v)| !v.is_null() && *k != "_links")
                .map(|(k, v)| (k.clone(), normal(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(normal).collect()),
        other => other.clone(),
    }
}

/// Users (the raw Okta user), groups and memberships, normalised.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) users: BTreeMap<String, Value>,
    pub(crate) groups: BTreeMap<String, Value>,
    pub(crate) memberships: BTreeSet<(String, String)>,
}

impl State {
    pub(crate) fn put(&mut self, object: &str, id: &str, data: &Value) {
        match object {
            "employees" => {
                self.users.insert(id.to_owned(), normal(&data["raw"]));
            }
            "groups" => {
                self.groups.insert(id.to_owned(), normal(data));
            }
            _ => {
                let part = |k: &str| data[k].as_str().expect("a membership").to_owned();
                self.memberships.insert((part("group_id"), part("user_id")));
            }
        }
    }

    pub(crate) fn remove(&mut self, object: &str, id: &str) {
        match object {
            "employees" => {
                self.users.remove(id);
            }
            "groups" => {
                self.groups.remove(id);
            }
            _ => {
                let (g, u) = id.split_once(':').expect("group:user");
                self.memberships.remove(&(g.to_owned(), u.to_owned()));
            }
        }
    }

    #[track_caller]
    pub(crate) fn assert_eq(&self, other: &State, what: &str) {
        let keys = |m: &BTreeMap<String, Value>| m.keys().cloned().collect::<BTreeSet<_>>();
        assert_eq!(keys(&self.users), keys(&other.users), "{what}: user ids");
        for (id, u) in &self.users {
            assert_eq!(Some(u), other.users.get(id), "{what}: user {id}");
        }
        assert_eq!(keys(&self.groups), keys(&other.groups), "{what}: group ids");
        for (id, g) in &self.groups {
            assert_eq!(Some(g), other.groups.get(id), "{what}: group {id}");
        }
        assert_eq!(self.memberships, other.memberships, "{what}: memberships");
    }
}
