//! An emulator, a store with one connection to it, a worker, and the checks every scenario
//! makes: the store equals the org, and the feed replays to the store.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use spindle_emulator::{Emulator, EmulatorConfig, RateLimitMode};
use spindle_okta::{Client, Config};
use spindle_store::testing::with_database;
use spindle_store::{
    Backend, ConnectionId, MasterKey, NewConnection, RecordQuery, RunState, Store, SyncObject,
    SyncRun,
};
use spindle_sync::{ClientSource, Worker, WorkerOptions};

/// Everything a scenario works with.
pub struct Env {
    pub emu: Emulator,
    pub client: Client,
    pub url: String,
    pub store: Store,
    pub conn: ConnectionId,
    pub worker: Worker,
    pub http: reqwest::Client,
}

struct Source(Client);

impl ClientSource for Source {
    fn client<'a>(
        &'a self,
        _connection: &'a ConnectionId,
    ) -> Pin<Box<dyn Future<Output = Result<Client, String>> + Send + 'a>> {
        Box::pin(async move { Ok(self.0.clone()) })
    }
}

/// Runs `test` against an emulator of `config` and a fresh store of `backend`.
pub async fn run<F, Fut>(backend: Backend, config: EmulatorConfig, test: F)
where
    F: FnOnce(Env) -> Fut,
    Fut: Future<Output = ()>,
{
    with_database(backend, |db| async move {
        let emu = Emulator::start(EmulatorConfig {
            rate_limit: RateLimitMode::Off,
            ..config
        })
        .await
        .expect("start the emulator");
        let client = Client::new(Config::with_api_token(&emu.url(), emu.token()).expect("config"))
            .expect("client");
        let store = Store::connect(&db.url, MasterKey::generate())
            .await
            .expect("open the store");
        let conn = store
            .connections()
            .create(NewConnection::api_token(
                "emu",
                emu.url(),
                emu.token().to_owned().into(),
            ))
            .await
            .expect("connection")
            .id;
        let worker = Worker::new(
            store.clone(),
            Arc::new(Source(client.clone())),
            WorkerOptions::new("test-worker").lease(Duration::from_secs(30)),
        );
        test(Env {
            emu,
            client,
            url: db.url.clone(),
            store: store.clone(),
            conn,
            worker,
            http: reqwest::Client::new(),
        })
        .await;
        store.close().await;
    })
    .await;
}

impl Env {
    /// Another worker on the same store with its own name and lease.
    pub fn worker(&self, owner: &str, lease: Duration) -> Worker {
        Worker::new(
            self.store.clone(),
            Arc::new(Source(self.client.clone())),
            WorkerOptions::new(owner).lease(lease),
        )
    }

    /// A worker with its own store (its own database connections), as another process has:
    /// dropping it mid-run drops its connections, as a killed process does.
    pub async fn process_worker(&self, owner: &str, lease: Duration) -> Worker {
        let store = Store::connect(&self.url, MasterKey::generate())
            .await
            .expect("open the store");
        Worker::new(
            store,
            Arc::new(Source(self.client.clone())),
            WorkerOptions::new(owner).lease(lease),
        )
    }

    /// `POST /__emulator/churn`: `n` random changes from `seed`.
    pub async fn churn(&self, n: u32, seed: u64) -> Vec<Value> {
        let resp = self
            .http
            .post(format!("{}/__emulator/churn", self.emu.url()))
            .json(&serde_json::json!({"changes": n, "seed": seed}))
            .send()
            .await
            .expect("churn");
        assert!(resp.status().is_success(), "churn: {}", resp.status());
        let body: Value = resp.json().await.expect("churn answer");
        body["changes"].as_array().cloned().unwrap_or_default()
    }

    /// Queues a run and executes it; panics unless it succeeded.
    pub async fn sync(&self, full: bool) -> SyncRun {
        let run = self.sync_may_fail(full).await;
        assert_eq!(
            run.state,
            RunState::Succeeded,
            "run failed: {:?}",
            run.error
        );
        run
    }

    /// Queues a run and executes it.
    pub async fn sync_may_fail(&self, full: bool) -> SyncRun {
        self.store
            .sync()
            .request_run(&self.conn, full, "request")
            .await
            .expect("queue a run");
        self.worker
            .run_one()
            .await
            .expect("claim")
            .expect("a queued run")
    }

    /// GET of every page of an emulator list, raw.
    pub async fn get_all(&self, path_and_query: &str) -> Vec<Value> {
        let mut url = format!("{}{path_and_query}", self.emu.url());
        let mut out = Vec::new();
        loop {
            let resp = self
                .http
                .get(&url)
                .header("Authorization", format!("SSWS {}", self.emu.token()))
                .send()
                .await
                .expect("GET");
            assert!(resp.status().is_success(), "{url}: {}", resp.status());
            let next = resp
                .headers()
                .get_all("link")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find(|v| v.contains("rel=\"next\""))
                .and_then(|v| v.split(['<', '>']).nth(1))
                .map(str::to_owned);
            let page: Vec<Value> = resp.json().await.expect("JSON list");
            out.extend(page);
            match next {
                Some(n) if n != url => url = n,
                _ => return out,
            }
        }
    }

    /// The org as Okta serves it: users of every status, groups, memberships.
    pub async fn org(&self) -> Snapshot {
        let mut users = BTreeMap::new();
        for u in self
            .get_all("/api/v1/users?limit=200")
            .await
            .into_iter()
            .chain(
                self.get_all("/api/v1/users?limit=200&filter=status%20eq%20%22DEPROVISIONED%22")
                    .await,
            )
        {
            users.insert(u["id"].as_str().expect("id").to_owned(), u);
        }
        let mut groups = BTreeMap::new();
        let mut memberships = BTreeSet::new();
        for g in self.get_all("/api/v1/groups?limit=1000").await {
            let id = g["id"].as_str().expect("id").to_owned();
            for m in self
                .get_all(&format!("/api/v1/groups/{id}/users?limit=1000"))
                .await
            {
                memberships.insert((id.clone(), m["id"].as_str().expect("id").to_owned()));
            }
            groups.insert(id, g);
        }
        Snapshot {
            users,
            groups,
            memberships,
        }
    }

    /// The store's copy, in the same shape.
    pub async fn copy(&self) -> Snapshot {
        let mut snap = Snapshot::default();
        for object in SyncObject::ALL {
            let mut query = RecordQuery {
                limit: Some(1000),
                ..RecordQuery::default()
            };
            loop {
                let page = self
                    .store
                    .sync()
                    .records(&self.conn, object, &query)
                    .await
                    .expect("records");
                for r in page.items {
                    snap.put(object, &r.id, r.data);
                }
                match page.next {
                    Some(n) => query.cursor = Some(n),
                    None => break,
                }
            }
        }
        snap
    }

    /// The state the change feed replays to.
    pub async fn replay(&self) -> Snapshot {
        let mut snap = Snapshot::default();
        let mut after = 0;
        let mut last_data: BTreeMap<(SyncObject, String), Value> = BTreeMap::new();
        loop {
            let page = self
                .store
                .sync()
                .changes(&self.conn, after, 1000)
                .await
                .expect("changes");
            if page.is_empty() {
                return snap;
            }
            for c in page {
                assert_eq!(c.seq, after + 1, "sequence numbers are contiguous");
                after = c.seq;
                let key = (c.object, c.record_id.clone());
                let deleted = c.kind.ends_with(".deleted") || c.kind.ends_with(".removed");
                if !deleted {
                    assert_ne!(
                        last_data.get(&key),
                        Some(&c.data),
                        "change {} of {} repeats the record's previous content",
                        c.seq,
                        c.record_id
                    );
                    last_data.insert(key, c.data.clone());
                    snap.put(c.object, &c.record_id, c.data);
                } else {
                    last_data.remove(&key);
                    snap.remove(c.object, &c.record_id);
                }
            }
        }
    }

    /// Asserts the store equals the org and the feed replays to the store.
    pub async fn assert_exact(&self) {
        let org = self.org().await;
        let copy = self.copy().await;
        org.assert_eq(&copy, "store vs org");
        let replay = self.replay().await;
        copy.assert_eq(&replay, "feed replay vs store");
    }

    /// Sets emulator faults (`{"spec": …}`).
    pub async fn faults(&self, spec: &str) {
        let resp = self
            .http
            .put(format!("{}/__emulator/faults", self.emu.url()))
            .json(&serde_json::json!({ "spec": spec }))
            .send()
            .await
            .expect("faults");
        assert!(resp.status().is_success(), "faults: {}", resp.status());
    }
}

/// An org's users (raw Okta users), groups and memberships.
#[derive(Debug, Default, PartialEq)]
pub struct Snapshot {
    pub users: BTreeMap<String, Value>,
    pub groups: BTreeMap<String, Value>,
    pub memberships: BTreeSet<(String, String)>,
}

impl Snapshot {
    fn put(&mut self, object: SyncObject, id: &str, data: Value) {
        match object {
            SyncObject::Employees => {
                self.users.insert(id.to_owned(), data["raw"].clone());
            }
            SyncObject::Groups => {
                self.groups.insert(id.to_owned(), data);
            }
            SyncObject::Memberships => {
                self.memberships.insert((
                    data["group_id"].as_str().unwrap_or_default().to_owned(),
                    data["user_id"].as_str().unwrap_or_default().to_owned(),
                ));
            }
        }
    }

    fn remove(&mut self, object: SyncObject, id: &str) {
        match object {
            SyncObject::Employees => {
                self.users.remove(id);
            }
            SyncObject::Groups => {
                self.groups.remove(id);
            }
            SyncObject::Memberships => {
                if let Some((g, u)) = id.split_once(':') {
                    self.memberships.remove(&(g.to_owned(), u.to_owned()));
                }
            }
        }
    }

    /// Field-for-field equality with a readable first difference. An explicit `null` and an
    /// absent field are the same to Okta, and the client's models keep only the second form;
    /// the store keeps objects without their `_links` (navigation, not data).
    pub fn assert_eq(&self, other: &Snapshot, what: &str) {
        let (this, other) = (self.without_nulls(), other.without_nulls());
        this.assert_eq_exact(&other, what);
    }

    fn without_nulls(&self) -> Snapshot {
        fn strip(v: &Value) -> Value {
            match v {
                Value::Object(m) => Value::Object(
                    m.iter()
                        .filter(|(k, v)| !v.is_null() && *k != "_links")
                        .map(|(k, v)| (k.clone(), strip(v)))
                        .collect(),
                ),
                Value::Array(a) => Value::Array(a.iter().map(strip).collect()),
                other => other.clone(),
            }
        }
        Snapshot {
            users: self
                .users
                .iter()
                .map(|(k, v)| (k.clone(), strip(v)))
                .collect(),
            groups: self
                .groups
                .iter()
                .map(|(k, v)| (k.clone(), strip(v)))
                .collect(),
            memberships: self.memberships.clone(),
        }
    }

    fn assert_eq_exact(&self, other: &Snapshot, what: &str) {
        let ids = |m: &BTreeMap<String, Value>| m.keys().cloned().collect::<BTreeSet<_>>();
        assert_eq!(ids(&self.users), ids(&other.users), "{what}: user ids");
        for (id, u) in &self.users {
            assert_eq!(Some(u), other.users.get(id), "{what}: user {id}");
        }
        assert_eq!(ids(&self.groups), ids(&other.groups), "{what}: group ids");
        for (id, g) in &self.groups {
            assert_eq!(Some(g), other.groups.get(id), "{what}: group {id}");
        }
        assert_eq!(self.memberships, other.memberships, "{what}: memberships");
    }
}
