//! The shared rate-limit budget (quota leasing): claims never pass the budget, also when
//! several stores (several gateway processes) claim at once; a newer window starts over; one
//! probe per ended window.

use std::time::Duration;

use spindle_store::{BudgetClaim, ConnectionId, NewConnection, ProbeGrant};

use crate::harness::{TestDb, both_backends};

const BUCKET: &str = "GET /api/v1/users/{id}";

async fn connection(db: &TestDb) -> ConnectionId {
    db.store
        .connections()
        .create(NewConnection::api_token(
            "acme",
            "https://acme.okta.com",
            "00token-for-rate-budget-tests".into(),
        ))
        .await
        .expect("connection")
        .id
}

fn claim(reset: u64, want: u32, spent: u32) -> BudgetClaim<'static> {
    BudgetClaim {
        bucket: BUCKET,
        reset,
        limit: 100,
        budget: 50,
        want,
        spent,
    }
}

async fn claims_stay_within_the_budget_and_a_new_window_starts_over(db: TestDb) {
    let id = connection(&db).await;
    let budget = db.store.rate_budget();
    let g = budget.claim(&id, claim(1_000, 20, 1)).await.unwrap();
    assert_eq!((g.reset, g.limit, g.granted), (1_000, 100, 20));
    assert_eq!(
        budget
            .claim(&id, claim(1_000, 20, 0))
            .await
            .unwrap()
            .granted,
        20
    );
    // 41 of 50 used; 2 more were sent without a grant: 7 left.
    assert_eq!(
        budget
            .claim(&id, claim(1_000, 20, 2))
            .await
            .unwrap()
            .granted,
        7
    );
    // Spent requests are recorded past the budget; nothing more is granted.
    assert_eq!(
        budget.claim(&id, claim(1_000, 5, 3)).await.unwrap().granted,
        0
    );
    assert_eq!(
        budget.get(&id, BUCKET).await.unwrap(),
        Some((1_000, 100, 53))
    );
    // A claimer behind learns the newer window and gets nothing.
    let g = budget.claim(&id, claim(999, 5, 0)).await.unwrap();
    assert_eq!((g.reset, g.granted), (1_000, 0));
    // A newer window starts over (the probe that found it counts).
    let g = budget.claim(&id, claim(1_060, 5, 1)).await.unwrap();
    assert_eq!((g.reset, g.granted), (1_060, 5));
    assert_eq!(
        budget.get(&id, BUCKET).await.unwrap(),
        Some((1_060, 100, 6))
    );
    // Another bucket, another connection: separate rows.
    let other = BudgetClaim {
        bucket: "GET /api/v1/groups",
        ..claim(1_000, 50, 0)
    };
    assert_eq!(budget.claim(&id, other).await.unwrap().granted, 50);
    // A claim for a connection that does not exist fails (no panic).
    let ghost: ConnectionId = "conn_01J00000000000000000000000".parse().unwrap();
    assert!(budget.claim(&ghost, claim(1_000, 5, 0)).await.is_err());
}

async fn concurrent_claimers_never_exceed_the_budget(db: TestDb) {
    let id = connection(&db).await;
    // Three stores on one database: three gateway processes.
    let mut stores = vec![db.store.clone()];
    for _ in 0..2 {
        stores.push(db.reopen(db.key.clone()).await);
    }
    for window in [2_000u64, 2_060] {
        let mut tasks = Vec::new();
        for store in &stores {
            for _ in 0..4 {
                let (store, id) = (store.clone(), id.clone());
                tasks.push(tokio::spawn(async move {
                    let mut got = 0u32;
                    loop {
                        let g = store
                            .rate_budget()
                            .claim(&id, claim(window, 3, 0))
                            .await
                            .expect("claim");
                        assert_eq!(g.reset, window);
                        if g.granted == 0 {
                            return got;
                        }
                        assert!(g.granted <= 3);
                        got += g.granted;
                    }
                }));
            }
        }
        let mut total = 0;
        for t in tasks {
            total += t.await.expect("claimer");
        }
        assert_eq!(
            total, 50,
            "window {window}: grants must add up to the budget"
        );
        assert_eq!(
            db.store.rate_budget().get(&id, BUCKET).await.unwrap(),
            Some((window, 100, 50))
        );
    }
}

async fn one_probe_per_ended_window(db: TestDb) {
    let id = connection(&db).await;
    let budget = db.store.rate_budget();
    let lease = Duration::from_secs(5);
    budget.claim(&id, claim(3_000, 50, 0)).await.unwrap();
    let now = 3_000_100;
    assert_eq!(
        budget
            .claim_probe(&id, BUCKET, 3_000, 100, now, lease)
            .await
            .unwrap(),
        ProbeGrant::Probe
    );
    // Concurrent askers: all busy while the lease holds.
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (store, id) = (db.store.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            store
                .rate_budget()
                .claim_probe(&id, BUCKET, 3_000, 100, now + 10, lease)
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        assert_eq!(
            t.await.unwrap(),
            ProbeGrant::Busy {
                until_ms: 3_005_100
            }
        );
    }
    // The lease ended (the prober died): one other process takes the probe.
    assert_eq!(
        budget
            .claim_probe(&id, BUCKET, 3_000, 100, 3_005_100, lease)
            .await
            .unwrap(),
        ProbeGrant::Probe
    );
    // The prober writes the new window (its probe counted): everyone else learns it.
    let g = budget.claim(&id, claim(3_060, 0, 1)).await.unwrap();
    assert_eq!((g.reset, g.granted), (3_060, 0));
    assert_eq!(
        budget
            .claim_probe(&id, BUCKET, 3_000, 100, 3_005_200, lease)
            .await
            .unwrap(),
        ProbeGrant::NewWindow {
            reset: 3_060,
            limit: 100
        }
    );
    assert_eq!(
        budget.get(&id, BUCKET).await.unwrap(),
        Some((3_060, 100, 1))
    );
    // Concurrent first probes of a bucket nobody claimed yet: exactly one wins.
    let mut tasks = Vec::new();
    for _ in 0..6 {
        let (store, id) = (db.store.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            store
                .rate_budget()
                .claim_probe(&id, "GET /api/v1/logs", 3_000, 50, 3_000_100, lease)
                .await
                .unwrap()
        }));
    }
    let mut won = 0;
    for t in tasks {
        if t.await.unwrap() == ProbeGrant::Probe {
            won += 1;
        }
    }
    assert_eq!(won, 1);
}

both_backends!(
    claims_stay_within_the_budget_and_a_new_window_starts_over,
    concurrent_claimers_never_exceed_the_budget,
    one_probe_per_ended_window,
);
