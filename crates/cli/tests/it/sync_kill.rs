//! A full sync of a 3000-user org by `spindle serve`, SIGKILLed mid-run again and again while the
//! org changes, then let finish: the store equals the org exactly, the change feed replays to
//! it, and the run was resumed (`attempts > 1`).

use std::path::Path;
use std::time::Duration;

use crate::procs::{self, Api, Proc, cli};

const KILLS: usize = 3;

/// `spindle serve` over the store in `dir`, with a 1 s sync lease; returns it and its URL.
fn serve(dir: &Path) -> (Proc, String) {
    procs::serve(
        dir,
        &[
            "--database-url",
            "sqlite://spindle.db",
            "--allow-private-orgs",
            "--sync-lease",
            "1s",
        ],
    )
}

#[test]
fn a_sync_killed_mid_run_again_and_again_ends_exact() {
    let dir = tempfile::tempdir().expect("tempdir");
    let dir = dir.path();
    let (_emulator, org, token) = procs::emulator(dir, 3000, 20);
    let (org, token) = (org.as_str(), token.as_str());
    let key = cli(dir, &["keys", "create", "sync-kill", "--scope", "full"], "")
        .trim()
        .to_owned();
    let added = cli(
        dir,
        &[
            "connections",
            "add",
            "emu",
            "--org-url",
            org,
            "--token-stdin",
            "--allow-private-orgs",
        ],
        &format!("{token}\n"),
    );
    assert!(!added.contains(token), "{added}");

    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let (mut gateway, url) = serve(dir);
        let mut api = Api {
            http: reqwest::Client::new(),
            gateway: url,
            key,
            org: org.to_owned(),
            token: token.to_owned(),
            conn: "emu".to_owned(),
        };
        let mut run = api.queue(true).await;
        let mut seen_attempts = 0;
        for kill in 0..KILLS {
            // A run this process took and made progress in (a new one when the last ended).
            let mut current = api
                .wait_run(run["id"].as_str().expect("a run id"), 60, |r| {
                    r["state"] != "queued"
                        && (r["state"] != "running" || r["attempts"].as_i64() > Some(seen_attempts))
                })
                .await;
            if current["state"] != "running" {
                assert_eq!(current["state"], "succeeded", "{current}");
                run = api.queue(true).await;
                current = api
                    .wait_run(run["id"].as_str().expect("a run id"), 60, |r| {
                        r["state"] != "queued"
                    })
                    .await;
            }
            tokio::time::sleep(Duration::from_millis(150 + 100 * kill as u64)).await;
            let before = api.run(run["id"].as_str().expect("a run id")).await;
            seen_attempts = before["attempts"]
                .as_i64()
                .unwrap_or(0)
                .max(current["attempts"].as_i64().unwrap_or(0));
            gateway.kill();
            api.churn(kill as u64 + 1, 50).await;
            let (next, url) = serve(dir);
            gateway = next;
            api.gateway = url;
        }

        // This one finishes the run, and one more after it.
        let id = run["id"].as_str().expect("a run id").to_owned();
        let done = api
            .wait_run(&id, 120, |r| {
                ["succeeded", "failed"].contains(&r["state"].as_str().unwrap_or_default())
            })
            .await;
        assert_eq!(done["state"], "succeeded", "{done}");
        tokio::time::sleep(Duration::from_secs(2)).await;
        let last = api.queue(false).await;
        let last = api
            .wait_run(last["id"].as_str().expect("a run id"), 60, |r| {
                ["succeeded", "failed"].contains(&r["state"].as_str().unwrap_or_default())
            })
            .await;
        assert_eq!(last["state"], "succeeded", "{last}");

        let runs = api
            .call("GET", "/v1/connections/emu/sync/runs?limit=100", None)
            .await;
        let runs = runs["items"].as_array().expect("items");
        assert!(
            runs.iter().any(|r| r["attempts"].as_i64() > Some(1)),
            "no run was resumed: {runs:?}"
        );
        assert!(runs.iter().all(|r| r["state"] == "succeeded"), "{runs:?}");

        let org = api.org().await;
        assert!(org.users.len() >= 3000, "{}", org.users.len());
        let copy = api.records().await;
        org.assert_eq(&copy, "store vs org");
        let replay = api.replay().await;
        copy.assert_eq(&replay, "feed replay vs store");
        drop(gateway);
    });
}
