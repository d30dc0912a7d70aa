//! Webhook endpoints and the outbox: deliveries written with their changes, claimed in order
//! per record, attempts fenced by the sender's lease, dead letters replayed.

use std::time::Duration;

use serde_json::{Value, json};
use spindle_store::{
    AttemptOutcome, AttemptReport, Commit, ConnectionId, DeliveryState, ExposeSecret,
    NewConnection, NewWebhook, RecordWrite, StoreError, SyncObject, WebhookUpdate,
};
use time::OffsetDateTime;

use crate::harness::{TestDb, both_backends};

const LEASE: Duration = Duration::from_secs(60);

async fn connection(db: &TestDb) -> ConnectionId {
    db.store
        .connections()
        .create(NewConnection::api_token(
            "acme",
            "https://acme.okta.com",
            "00token-for-webhook-tests".into(),
        ))
        .await
        .expect("connection")
        .id
}

fn user(id: &str, title: &str) -> RecordWrite {
    RecordWrite::Upsert {
        object: SyncObject::Employees,
        id: id.into(),
        data: json!({"id": id, "title": title}),
        okta_at: None,
        terminal: false,
    }
}

/// Commits `writes` in a fresh run.
async fn commit(db: &TestDb, conn: &ConnectionId, writes: Vec<RecordWrite>) {
    let sync = db.store.sync();
    let (run, _) = sync.request_run(conn, false, "test").await.expect("run");
    sync.claim("w", LEASE).await.expect("claim").expect("a run");
    let mut batch = Commit::new(run.id.clone(), "w");
    batch.writes = writes;
    sync.commit(conn, batch).await.expect("commit");
    sync.finish(&run.id, "w", None).await.expect("finish");
}

fn ok() -> AttemptReport {
    AttemptReport {
        status: Some(204),
        latency: Duration::from_millis(3),
        snippet: None,
        error: None,
    }
}

async fn outbox_orders_per_record_and_fences_attempts(db: TestDb) {
    let conn = connection(&db).await;
    let hooks = db.store.webhooks();
    let (all, secret) = hooks
        .create(NewWebhook {
            url: "https://receiver.example.com/hooks".into(),
            ..NewWebhook::default()
        })
        .await
        .expect("create");
    assert!(secret.expose_secret().starts_with("whsec_"));
    assert!(!format!("{all:?}").contains(secret.expose_secret()));
    let (only_created, _) = hooks
        .create(NewWebhook {
            url: "https://other.example.com/".into(),
            events: vec!["employee.created".into()],
            connections: vec![conn.clone()],
            ..NewWebhook::default()
        })
        .await
        .expect("create");
    let bad = hooks
        .create(NewWebhook {
            url: "https://x.example.com/".into(),
            events: vec!["employee.exploded".into()],
            ..NewWebhook::default()
        })
        .await
        .expect_err("unknown type");
    assert!(
        matches!(
            bad,
            StoreError::Invalid {
                field: "events",
                ..
            }
        ),
        "{bad}"
    );

    // Two changes of 00u1 and one of 00u2, in two batches.
    commit(&db, &conn, vec![user("00u1", "a"), user("00u2", "a")]).await;
    commit(&db, &conn, vec![user("00u1", "b")]).await;

    // The first claim gets the first change of each record, never 00u1's second.
    let claimed = hooks.claim("s1", LEASE, 10).await.expect("claim");
    let mine: Vec<_> = claimed.iter().filter(|d| d.endpoint_id == all.id).collect();
    assert_eq!(mine.len(), 2, "{claimed:?}");
    let bodies: Vec<Value> = mine
        .iter()
        .map(|d| serde_json::from_str(&d.payload).expect("JSON body"))
        .collect();
    assert!(bodies.iter().all(|b| b["type"] == "employee.created"));
    assert_eq!(bodies[0]["data"]["record"]["title"], "a");
    assert_eq!(bodies[0]["data"]["connection_id"], conn.as_str());
    let other: Vec<_> = claimed
        .iter()
        .filter(|d| d.endpoint_id == only_created.id)
        .collect();
    assert_eq!(
        other.len(),
        2,
        "the filtered endpoint gets the creations only"
    );
    // Leased: nobody else gets them.
    assert!(
        hooks
            .claim("s2", LEASE, 10)
            .await
            .expect("claim")
            .is_empty()
    );

    // A stranger cannot record an attempt; the holder can.
    let first = mine
        .iter()
        .find(|d| d.payload.contains("00u1"))
        .expect("00u1");
    // Giving a delivery back: only its holder can, and then anyone claims it at once.
    hooks.release(&first.id, "s2").await.expect("a no-op");
    assert!(
        hooks
            .claim("s2", LEASE, 10)
            .await
            .expect("claim")
            .is_empty()
    );
    hooks.release(&first.id, "s1").await.expect("release");
    let taken = hooks.claim("s2", LEASE, 10).await.expect("claim");
    assert_eq!(
        taken.iter().map(|d| &d.id).collect::<Vec<_>>(),
        [&first.id],
        "{taken:?}"
    );
    hooks.release(&first.id, "s2").await.expect("release");
    let back = hooks.claim("s1", LEASE, 10).await.expect("claim");
    assert_eq!(back.len(), 1, "{back:?}");
    let err = hooks
        .record_attempt(&first.id, "s2", &ok(), &AttemptOutcome::Delivered)
        .await
        .expect_err("fenced");
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err}");
    // A retry keeps 00u1's second change back until the first is delivered.
    let later = OffsetDateTime::now_utc() - Duration::from_millis(1);
    hooks
        .record_attempt(
            &first.id,
            "s1",
            &AttemptReport {
                status: Some(503),
                snippet: Some("busy".into()),
                ..ok()
            },
            &AttemptOutcome::RetryAt(later),
        )
        .await
        .expect("record");
    let again = hooks.claim("s1", LEASE, 10).await.expect("claim");
    assert_eq!(again.len(), 1, "only the retry: {again:?}");
    assert_eq!(again[0].id, first.id);
    assert_eq!(again[0].attempts, 1);
    hooks
        .record_attempt(&first.id, "s1", &ok(), &AttemptOutcome::Delivered)
        .await
        .expect("record");
    let next = hooks.claim("s1", LEASE, 10).await.expect("claim");
    assert_eq!(next.len(), 1);
    let body: Value = serde_json::from_str(&next[0].payload).expect("JSON");
    assert_eq!(body["type"], "employee.updated");
    assert_eq!(body["data"]["changed_fields"], json!(["title"]));
    hooks
        .record_attempt(&next[0].id, "s1", &ok(), &AttemptOutcome::Dead)
        .await
        .expect("dead");

    // The log shows each attempt; a dead letter is replayed.
    let deliveries = hooks.deliveries(&all.id, None, 10).await.expect("list");
    let retried = deliveries.iter().find(|d| d.id == first.id).expect("first");
    assert_eq!(retried.state, DeliveryState::Succeeded);
    assert_eq!(retried.attempt_log.len(), 2);
    assert_eq!(retried.attempt_log[0].status, Some(503));
    assert_eq!(retried.attempt_log[0].snippet.as_deref(), Some("busy"));
    let dead = hooks
        .deliveries(&all.id, Some(DeliveryState::Dead), 10)
        .await
        .expect("dead");
    assert_eq!(dead.len(), 1);
    assert_eq!(
        hooks
            .replay(&all.id, Some(&dead[0].id), None)
            .await
            .expect("replay"),
        1
    );
    let replayed = hooks.claim("s1", LEASE, 10).await.expect("claim");
    assert!(replayed.iter().any(|d| d.id == dead[0].id));
    assert_eq!(
        hooks
            .replay(&all.id, None, Some((&conn, 0)))
            .await
            .expect("from seq"),
        1,
        "the delivered one (the other is pending)"
    );
}

async fn secrets_rotate_with_an_overlap_and_disabled_endpoints_get_nothing(db: TestDb) {
    let conn = connection(&db).await;
    let hooks = db.store.webhooks();
    let (hook, first) = hooks
        .create(NewWebhook {
            url: "https://receiver.example.com/".into(),
            ..NewWebhook::default()
        })
        .await
        .expect("create");
    let (rotated, second) = hooks
        .rotate(&hook.id, Duration::from_secs(3600))
        .await
        .expect("rotate");
    assert!(rotated.previous_secret_until.is_some());
    let secrets: Vec<String> = hooks
        .secrets(&hook.id)
        .await
        .expect("secrets")
        .iter()
        .map(|s| s.expose_secret().to_owned())
        .collect();
    assert_eq!(
        secrets,
        [
            second.expose_secret().to_owned(),
            first.expose_secret().to_owned()
        ]
    );
    hooks
        .rotate(&hook.id, Duration::ZERO)
        .await
        .expect("rotate");
    assert_eq!(hooks.secrets(&hook.id).await.expect("secrets").len(), 1);

    hooks
        .update(
            &hook.id,
            WebhookUpdate {
                enabled: Some(false),
                ..WebhookUpdate::default()
            },
        )
        .await
        .expect("disable");
    commit(&db, &conn, vec![user("00u1", "a")]).await;
    assert!(hooks.claim("s", LEASE, 10).await.expect("claim").is_empty());
    assert!(
        hooks
            .deliveries(&hook.id, None, 10)
            .await
            .expect("list")
            .is_empty(),
        "a disabled endpoint is not written to"
    );
    hooks.disable(&hook.id, "410 Gone").await.expect("disable");
    assert_eq!(
        hooks
            .get(&hook.id)
            .await
            .expect("get")
            .disabled_reason
            .as_deref(),
        Some("410 Gone")
    );
    hooks.delete(&hook.id).await.expect("delete");
    assert!(matches!(
        hooks.get(&hook.id).await,
        Err(StoreError::NotFound { .. })
    ));
}

both_backends!(
    outbox_orders_per_record_and_fences_attempts,
    secrets_rotate_with_an_overlap_and_disabled_endpoints_get_nothing,
);

mod rotation {
    use spindle_store::{ExposeSecret, MasterKey, NewWebhook};

    use crate::harness::{TestDb, both_backends};

    async fn master_key_rotation_reseals_webhook_secrets(db: TestDb) {
        let hooks = db.store.webhooks();
        let (hook, secret) = hooks
            .create(NewWebhook {
                url: "https://receiver.example.com/".into(),
                ..NewWebhook::default()
            })
            .await
            .expect("create");
        let new = MasterKey::generate();
        db.store
            .rotate_master_key(&db.key, &new)
            .await
            .expect("rotate");
        let reopened = db.reopen(new).await;
        let secrets = reopened
            .webhooks()
            .secrets(&hook.id)
            .await
            .expect("secrets");
        assert_eq!(secrets[0].expose_secret(), secret.expose_secret());
    }

    both_backends!(master_key_rotation_reseals_webhook_secrets);
}
