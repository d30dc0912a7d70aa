//! Scenarios: a first full copy, incremental runs after changes of every kind, a
//! reconciliation that finds nothing new, and a failed reconciliation that deletes nothing.

use serde_json::{Value, json};
use spindle_emulator::EmulatorConfig;
use spindle_store::{Backend, Commit, RecordWrite, RunState, SyncObject};

use crate::harness::{Env, run};

fn org() -> EmulatorConfig {
    EmulatorConfig {
        users: 40,
        groups: 6,
        ..Default::default()
    }
}

impl Env {
    async fn api(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self
            .http
            .request(method.clone(), format!("{}{path}", self.emu.url()))
            .header("Authorization", format!("SSWS {}", self.emu.token()));
        if let Some(body) = body {
            req = req.json(&body);
        }
        let resp = req.send().await.expect("send");
        let status = resp.status();
        let text = resp.text().await.expect("body");
        assert!(status.is_success(), "{method} {path}: {status} {text}");
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    async fn create_user(&self, login: &str, department: &str) -> String {
        let u = self
            .api(
                reqwest::Method::POST,
                "/api/v1/users?activate=true",
                Some(json!({"profile": {
                    "login": login, "email": login, "firstName": "New", "lastName": "Hire",
                    "department": department
                }})),
            )
            .await;
        u["id"].as_str().expect("id").to_owned()
    }

    async fn user_ids(&self) -> Vec<String> {
        self.get_all("/api/v1/users?limit=200")
            .await
            .iter()
            .map(|u| u["id"].as_str().expect("id").to_owned())
            .collect()
    }

    async fn group_ids(&self) -> Vec<String> {
        self.get_all("/api/v1/groups?filter=type%20eq%20%22OKTA_GROUP%22")
            .await
            .iter()
            .map(|g| g["id"].as_str().expect("id").to_owned())
            .collect()
    }
}

async fn first_run_copies_the_org_then_follows_its_log(env: Env) {
    use reqwest::Method as M;
    let first = env.sync(false).await;
    assert!(first.full, "the first run is a full copy");
    assert!(first.changes > 0);
    assert!(first.okta_calls >= first.pages, "{first:?}");
    env.assert_exact().await;
    let status = env.store.sync().status(&env.conn).await.expect("status");
    assert!(status.following_log);

    // Changes of every kind, through Okta's API.
    let users = env.user_ids().await;
    let groups = env.group_ids().await;
    let hire = env.create_user("hire.one@example.com", "Engineering").await;
    env.create_user("hire.two@example.com", "Sales").await;
    env.api(
        M::POST,
        &format!("/api/v1/users/{}", users[0]),
        Some(json!({"profile": {"title": "Chief Tester"}})),
    )
    .await;
    env.api(
        M::POST,
        &format!("/api/v1/users/{}/lifecycle/suspend", users[1]),
        None,
    )
    .await;
    env.api(
        M::POST,
        &format!("/api/v1/users/{}/lifecycle/deactivate", users[2]),
        None,
    )
    .await;
    env.api(
        M::POST,
        &format!("/api/v1/users/{}/lifecycle/deactivate", users[3]),
        None,
    )
    .await;
    env.api(M::DELETE, &format!("/api/v1/users/{}", users[3]), None)
        .await;
    let team = env
        .api(
            M::POST,
            "/api/v1/groups",
            Some(json!({"profile": {"name": "Sync testers", "description": "new"}})),
        )
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();
    env.api(M::PUT, &format!("/api/v1/groups/{team}/users/{hire}"), None)
        .await;
    env.api(
        M::PUT,
        &format!("/api/v1/groups/{team}/users/{}", users[4]),
        None,
    )
    .await;
    env.api(
        M::PUT,
        &format!("/api/v1/groups/{}/users/{}", groups[0], users[5]),
        None,
    )
    .await;
    env.api(
        M::PUT,
        &format!("/api/v1/groups/{}", groups[1]),
        Some(json!({"profile": {"name": "Renamed", "description": "renamed"}})),
    )
    .await;
    env.api(M::DELETE, &format!("/api/v1/groups/{}", groups[2]), None)
        .await;

    let run = env.sync(false).await;
    assert!(!run.full, "later runs follow the log");
    env.assert_exact().await;
    // Reads proportional to the changes, not to the org.
    assert!(
        run.okta_calls < 40,
        "{} calls for 13 changes",
        run.okta_calls
    );
    let feed = env
        .store
        .sync()
        .changes(&env.conn, first.changes, 1000)
        .await
        .expect("feed");
    let kinds: Vec<&str> = feed.iter().map(|c| c.kind.as_str()).collect();
    // Every kind of change the feed knows was emitted.
    for kind in spindle_store::CHANGE_TYPES {
        assert!(kinds.contains(&kind), "no {kind} in {kinds:?}");
    }
    let update = feed
        .iter()
        .find(|c| c.kind == "employee.updated" && c.record_id == users[0])
        .expect("the profile edit");
    let fields = update.changed_fields.as_ref().expect("changed fields");
    assert!(fields.contains(&"title".to_owned()), "{fields:?}");

    // Nothing new: an incremental run and a reconciliation emit nothing.
    let quiet = env.sync(false).await;
    assert_eq!(quiet.changes, 0, "{quiet:?}");
    let full = env.sync(true).await;
    assert!(full.full);
    assert_eq!(
        full.changes, 0,
        "a reconciliation of an unchanged org: {full:?}"
    );
    env.assert_exact().await;
}

async fn a_failed_reconciliation_deletes_nothing(env: Env) {
    env.sync(false).await;
    // A record the org does not have (as if its deletion had been missed).
    let sync = env.store.sync();
    let (run, _) = sync
        .request_run(&env.conn, false, "test")
        .await
        .expect("run");
    sync.claim("planter", std::time::Duration::from_secs(30))
        .await
        .expect("claim");
    let mut batch = Commit::new(run.id.clone(), "planter");
    batch.writes = vec![RecordWrite::Upsert {
        object: SyncObject::Employees,
        id: "00ughost".into(),
        data: json!({"id": "00ughost", "raw": {"id": "00ughost"}}),
        okta_at: None,
        terminal: false,
    }];
    sync.commit(&env.conn, batch).await.expect("plant");
    sync.finish(&run.id, "planter", None).await.expect("finish");

    // The pass fails on the member walks: nothing is deleted.
    env.faults("500=1.0,path=/api/v1/groups/").await;
    let failed = env.sync_may_fail(true).await;
    assert_eq!(failed.state, RunState::Failed);
    let error = failed.error.expect("error");
    assert!(error.contains("Okta failed"), "{error}");
    assert!(
        sync.record(&env.conn, SyncObject::Employees, "00ughost")
            .await
            .expect("get")
            .is_some_and(|r| r.deleted_at.is_none())
    );

    // A complete pass removes it, after Okta's 404 for it.
    env.faults("none").await;
    let full = env.sync(true).await;
    assert_eq!(full.changes, 1, "{full:?}");
    let ghost = sync
        .record(&env.conn, SyncObject::Employees, "00ughost")
        .await
        .expect("get")
        .expect("kept as deleted");
    assert!(ghost.deleted_at.is_some());
    env.assert_exact().await;
}

macro_rules! scenarios {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::run(super::Backend::Sqlite, super::org(), super::$name).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::run(super::Backend::Postgres, super::org(), super::$name).await
                }
            )*
        }
    };
}

scenarios!(
    first_run_copies_the_org_then_follows_its_log,
    a_failed_reconciliation_deletes_nothing,
);

mod churn {
    //! Hundreds of random changes, with Okta's eventual consistency on, and workers killed
    //! mid-run.

    use std::time::Duration;

    use spindle_emulator::EmulatorConfig;
    use spindle_store::{Backend, RunState};

    use crate::harness::{Env, run};

    const LAG: Duration = Duration::from_millis(1500);

    fn org() -> EmulatorConfig {
        EmulatorConfig {
            users: 300,
            groups: 12,
            consistency_lag: LAG,
            ..Default::default()
        }
    }

    fn big_org() -> EmulatorConfig {
        EmulatorConfig {
            users: 3000,
            groups: 20,
            consistency_lag: LAG,
            ..Default::default()
        }
    }

    /// Waits until the emulator's log shows every event of the changes made so far (and its
    /// group rules have run).
    async fn settle() {
        tokio::time::sleep(LAG + Duration::from_millis(600)).await;
    }

    async fn churn_with_lag_stays_exact(env: Env) {
        env.sync(false).await;
        env.assert_exact().await;
        let mut kinds = std::collections::BTreeSet::new();
        for round in 0..3 {
            for c in env.churn(120, 7 + round).await {
                kinds.insert(c["kind"].as_str().unwrap_or_default().to_owned());
            }
            settle().await;
            let run = env.sync(false).await;
            assert!(!run.full);
            env.assert_exact().await;
        }
        assert!(kinds.len() >= 10, "churn covered few kinds: {kinds:?}");
        // A reconciliation afterwards finds nothing the log missed.
        let full = env.sync(true).await;
        assert_eq!(full.changes, 0, "{full:?}");
    }

    async fn killed_runs_resume_without_loss_or_duplicates(env: Env) {
        let lease = Duration::from_millis(400);
        let mut kills = 0;
        for round in 0..6u64 {
            if round > 0 {
                env.churn(60, 100 + round).await;
            }
            env.store
                .sync()
                .request_run(&env.conn, round % 2 == 0, "request")
                .await
                .expect("queue");
            let worker = env.process_worker(&format!("doomed-{round}"), lease).await;
            let task = tokio::spawn(async move { worker.run_one().await });
            tokio::time::sleep(Duration::from_millis(30 + 45 * round)).await;
            if !task.is_finished() {
                kills += 1;
            }
            task.abort();
            let _ = task.await;
            // The dead worker's lease runs out; the next worker resumes its run.
            tokio::time::sleep(lease + Duration::from_millis(100)).await;
        }
        assert!(kills >= 3, "only {kills} runs were killed mid-run");
        settle().await;
        // Finish whatever run is left, then one more to catch up on the log.
        for _ in 0..3 {
            let worker = env.worker("survivor", Duration::from_secs(30));
            if let Some(run) = worker.run_one().await.expect("claim") {
                assert_eq!(run.state, RunState::Succeeded, "{:?}", run.error);
            }
        }
        env.sync(false).await;
        env.assert_exact().await;
        let runs = env.store.sync().runs(&env.conn, 50).await.expect("runs");
        assert!(
            runs.iter()
                .any(|r| r.attempts > 1 && r.state == RunState::Succeeded),
            "no run was resumed by another worker: {runs:?}"
        );
    }

    macro_rules! scenarios {
        ($($name:ident: $org:ident),* $(,)?) => {
            mod sqlite {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        super::run(super::Backend::Sqlite, super::$org(), super::$name).await
                    }
                )*
            }
            mod postgres {
                $(
                    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                    async fn $name() {
                        super::run(super::Backend::Postgres, super::$org(), super::$name).await
                    }
                )*
            }
        };
    }

    scenarios!(
        churn_with_lag_stays_exact: org,
        killed_runs_resume_without_loss_or_duplicates: big_org,
    );
}
