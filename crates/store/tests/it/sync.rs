//! The sync's tables: runs under leases, batches that write records and the change feed at
//! once, changes only on change, and a feed read in order exactly once.

use std::time::Duration;

use serde_json::json;
use spindle_store::{
    Commit, ConnectionId, FEED_CURSOR_NOW, NewConnection, RecordQuery, RecordWrite, RunState,
    StoreError, SyncObject, SyncSettings,
};
use time::OffsetDateTime;

use crate::harness::{TestDb, both_backends};

const LEASE: Duration = Duration::from_secs(60);

async fn connection(db: &TestDb, name: &str) -> ConnectionId {
    db.store
        .connections()
        .create(NewConnection::api_token(
            name,
            "https://acme.okta.com",
            "00token-for-sync-tests".into(),
        ))
        .await
        .expect("create connection")
        .id
}

fn user(id: &str, title: &str, terminal: bool) -> RecordWrite {
    RecordWrite::Upsert {
        object: SyncObject::Employees,
        id: id.into(),
        data: json!({"id": id, "title": title, "raw": {"status": if terminal {"DEPROVISIONED"} else {"ACTIVE"}}}),
        okta_at: None,
        terminal,
    }
}

async fn kinds(db: &TestDb, conn: &ConnectionId, after: i64) -> Vec<(i64, String, String)> {
    db.store
        .sync()
        .changes(conn, after, 1000)
        .await
        .expect("changes")
        .into_iter()
        .map(|c| (c.seq, c.kind, c.record_id))
        .collect()
}

async fn batches_emit_each_change_once_in_order(db: TestDb) {
    let conn = connection(&db, "acme").await;
    let sync = db.store.sync();
    let (run, joined) = sync
        .request_run(&conn, false, "request")
        .await
        .expect("run");
    assert!(!joined);
    assert!(run.full, "a connection's first run is full");
    assert_eq!(run.state, RunState::Queued);
    let (again, joined) = sync
        .request_run(&conn, true, "request")
        .await
        .expect("join");
    assert!(joined);
    assert_eq!(again.id, run.id);
    let claimed = sync
        .claim("w1", LEASE)
        .await
        .expect("claim")
        .expect("a run");
    assert_eq!(claimed.id, run.id);
    assert_eq!(claimed.state, RunState::Running);
    assert!(sync.claim("w2", LEASE).await.expect("claim").is_none());

    let start = OffsetDateTime::now_utc();
    let mut batch = Commit::new(run.id.clone(), "w1");
    batch.writes = vec![
        user("00u1", "Engineer", false),
        user("00u2", "Designer", false),
        RecordWrite::Upsert {
            object: SyncObject::Groups,
            id: "00g1".into(),
            data: json!({"id": "00g1", "profile": {"name": "Eng"}}),
            okta_at: None,
            terminal: false,
        },
        RecordWrite::membership("00g1", "00u1", None),
        RecordWrite::membership("00g1", "00u2", None),
    ];
    batch.checkpoint = Some("page-1".into());
    assert_eq!(sync.commit(&conn, batch).await.expect("commit"), 5);

    // The same content again emits nothing; a change emits one update naming the field.
    let mut batch = Commit::new(run.id.clone(), "w1");
    batch.writes = vec![
        user("00u1", "Engineer", false),
        user("00u2", "Lead designer", false),
    ];
    assert_eq!(sync.commit(&conn, batch).await.expect("commit"), 1);
    let changes = sync.changes(&conn, 5, 10).await.expect("changes");
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0].kind, "employee.updated");
    assert_eq!(
        changes[0].changed_fields.as_deref(),
        Some(&["title".to_owned()][..])
    );
    assert_eq!(changes[0].data["title"], "Lead designer");

    // Termination, then deletion with the user's memberships.
    let mut batch = Commit::new(run.id.clone(), "w1");
    batch.writes = vec![
        user("00u2", "Lead designer", true),
        RecordWrite::Delete {
            object: SyncObject::Employees,
            id: "00u2".into(),
            okta_at: None,
        },
        RecordWrite::MembershipsOfUser {
            user_id: "00u2".into(),
            okta_at: None,
        },
        RecordWrite::Delete {
            object: SyncObject::Employees,
            id: "00u404".into(),
            okta_at: None,
        },
    ];
    assert_eq!(sync.commit(&conn, batch).await.expect("commit"), 3);
    assert_eq!(
        kinds(&db, &conn, 6).await,
        [
            (7, "employee.terminated".into(), "00u2".into()),
            (8, "employee.deleted".into(), "00u2".into()),
            (9, "membership.removed".into(), "00g1:00u2".into()),
        ]
    );
    assert_eq!(
        sync.members(&conn, "00g1").await.expect("members"),
        ["00u1"]
    );

    // A sweep deletes what the pass since `start` did not see: 00u1 was seen, 00g1 was not.
    let mut batch = Commit::new(run.id.clone(), "w1");
    batch.writes = vec![RecordWrite::Sweep {
        object: SyncObject::Groups,
        unseen_since: OffsetDateTime::now_utc() + Duration::from_secs(1),
    }];
    batch.full_pass_ended = true;
    assert_eq!(sync.commit(&conn, batch).await.expect("commit"), 1);
    let mut batch = Commit::new(run.id.clone(), "w1");
    batch.writes = vec![RecordWrite::Sweep {
        object: SyncObject::Employees,
        unseen_since: start,
    }];
    assert_eq!(sync.commit(&conn, batch).await.expect("commit"), 0);

    let live = sync
        .records(&conn, SyncObject::Employees, &RecordQuery::default())
        .await
        .expect("records");
    assert_eq!(live.items.len(), 1);
    // Walking live records one by one skips the deleted 00u2.
    let next = |after: Option<&'static str>| sync.next_id(&conn, SyncObject::Employees, after);
    assert_eq!(next(None).await.expect("next").as_deref(), Some("00u1"));
    assert_eq!(next(Some("00u1")).await.expect("next"), None);
    let all = sync
        .records(
            &conn,
            SyncObject::Employees,
            &RecordQuery {
                include_deleted: true,
                limit: Some(1),
                ..RecordQuery::default()
            },
        )
        .await
        .expect("records");
    assert_eq!(all.items[0].id, "00u1");
    let second = sync
        .records(
            &conn,
            SyncObject::Employees,
            &RecordQuery {
                include_deleted: true,
                limit: Some(1),
                cursor: all.next.clone(),
                ..RecordQuery::default()
            },
        )
        .await
        .expect("records");
    assert_eq!(second.items[0].id, "00u2");
    assert!(second.items[0].deleted_at.is_some());
    assert!(second.next.is_none());
    // A cursor of one listing is refused by another.
    let err = sync
        .records(
            &conn,
            SyncObject::Groups,
            &RecordQuery {
                cursor: all.next,
                ..RecordQuery::default()
            },
        )
        .await
        .expect_err("foreign cursor");
    assert!(matches!(err, StoreError::InvalidCursor { .. }), "{err}");

    sync.finish(&run.id, "w1", None).await.expect("finish");
    let done = sync.run(&conn, &run.id).await.expect("run");
    assert_eq!(done.state, RunState::Succeeded);
    assert_eq!(done.changes, 10);
    let status = sync.status(&conn).await.expect("status");
    assert!(
        !status.configured,
        "a run alone does not configure the sync"
    );
    assert_eq!(status.feed_seq, 10);
    assert!(status.last_full_at.is_some());
}

async fn a_lost_lease_writes_nothing(db: TestDb) {
    let conn = connection(&db, "acme").await;
    let sync = db.store.sync();
    let (run, _) = sync
        .request_run(&conn, false, "request")
        .await
        .expect("run");
    sync.claim("w1", Duration::ZERO)
        .await
        .expect("claim")
        .expect("run");
    tokio::time::sleep(Duration::from_millis(5)).await;
    // The lease ran out: another worker takes the run over and resumes from its checkpoint.
    let taken = sync.claim("w2", LEASE).await.expect("claim").expect("run");
    assert_eq!(taken.id, run.id);
    assert_eq!(taken.attempts, 2);
    let mut batch = Commit::new(run.id.clone(), "w1");
    batch.writes = vec![user("00u1", "Engineer", false)];
    let err = sync.commit(&conn, batch).await.expect_err("lease lost");
    assert!(matches!(err, StoreError::LeaseLost { .. }), "{err}");
    assert!(kinds(&db, &conn, 0).await.is_empty());
    assert!(matches!(
        sync.renew(&run.id, "w1", LEASE).await,
        Err(StoreError::LeaseLost { .. })
    ));
    sync.renew(&run.id, "w2", LEASE).await.expect("renew");
    sync.finish(&run.id, "w2", Some("Okta answered 401"))
        .await
        .expect("finish");
    let failed = sync.run(&conn, &run.id).await.expect("run");
    assert_eq!(failed.state, RunState::Failed);
    assert_eq!(failed.error.as_deref(), Some("Okta answered 401"));
}

async fn a_released_run_is_taken_at_once(db: TestDb) {
    let conn = connection(&db, "acme").await;
    let sync = db.store.sync();
    let (run, _) = sync
        .request_run(&conn, false, "request")
        .await
        .expect("run");
    sync.claim("w1", LEASE).await.expect("claim").expect("run");
    assert!(sync.claim("w2", LEASE).await.expect("claim").is_none());
    sync.release(&run.id, "w1").await.expect("release");
    assert!(matches!(
        sync.release(&run.id, "w1").await,
        Err(StoreError::LeaseLost { .. })
    ));
    let taken = sync
        .claim("w2", LEASE)
        .await
        .expect("claim")
        .expect("the run");
    assert_eq!(taken.id, run.id);
    assert_eq!(taken.attempts, 2);
}

async fn feed_cursors_belong_to_their_connection(db: TestDb) {
    let a = connection(&db, "a").await;
    let b = connection(&db, "b").await;
    let sync = db.store.sync();
    assert_eq!(
        sync.feed_position(&a, FEED_CURSOR_NOW).await.expect("now"),
        0
    );
    let cursor = sync.feed_cursor(&a, 7);
    assert_eq!(sync.feed_position(&a, &cursor).await.expect("own"), 7);
    assert!(matches!(
        sync.feed_position(&b, &cursor).await,
        Err(StoreError::InvalidCursor { .. })
    ));
    assert!(matches!(
        sync.feed_position(&a, "garbage!").await,
        Err(StoreError::InvalidCursor { .. })
    ));
    assert!(matches!(
        sync.changes(&a, 0, 0).await,
        Err(StoreError::Invalid { field: "limit", .. })
    ));
}

async fn settings_are_validated_and_schedule_runs(db: TestDb) {
    let conn = connection(&db, "acme").await;
    let sync = db.store.sync();
    let status = sync.status(&conn).await.expect("status");
    assert!(!status.configured);
    let bad = SyncSettings {
        interval: Duration::from_secs(4),
        ..SyncSettings::default()
    };
    assert!(matches!(
        sync.configure(&conn, &bad).await,
        Err(StoreError::Invalid {
            field: "interval",
            ..
        })
    ));
    let bad = SyncSettings {
        rate_share: 1.5,
        ..SyncSettings::default()
    };
    assert!(matches!(
        sync.configure(&conn, &bad).await,
        Err(StoreError::Invalid {
            field: "rate_share",
            ..
        })
    ));
    assert!(
        sync.due(OffsetDateTime::now_utc())
            .await
            .expect("due")
            .is_empty()
    );
    let status = sync
        .configure(&conn, &SyncSettings::default())
        .await
        .expect("configure");
    assert!(status.configured);
    let due = sync.due(OffsetDateTime::now_utc()).await.expect("due");
    assert_eq!(due.len(), 1);
    assert!(due[0].full);
    sync.request_run(&conn, false, "schedule")
        .await
        .expect("run");
    assert!(
        sync.due(OffsetDateTime::now_utc())
            .await
            .expect("due")
            .is_empty()
    );
    // Deleting the connection deletes its sync.
    db.store.connections().delete(&conn).await.expect("delete");
    assert!(matches!(
        sync.status(&conn).await,
        Err(StoreError::NotFound { .. })
    ));
}

both_backends!(
    batches_emit_each_change_once_in_order,
    a_lost_lease_writes_nothing,
    a_released_run_is_taken_at_once,
    feed_cursors_belong_to_their_connection,
    settings_are_validated_and_schedule_runs,
);
