use std::collections::HashSet;
use std::time::Duration;

use spindle_store::{BATCH_CHUNK_ROWS, CallFilter, CallRecord, ConnectionId, StoreError};
use time::OffsetDateTime;

use crate::harness::{TestDb, both_backends};

/// Millisecond precision is what the store keeps.
fn ms(t: OffsetDateTime) -> OffsetDateTime {
    t.replace_nanosecond(t.nanosecond() / 1_000_000 * 1_000_000)
        .expect("valid")
}

fn conn(n: u8) -> ConnectionId {
    format!("conn_01HZZZZZZZZZZZZZZZZZZZZZZ{n}")
        .parse()
        .expect("id")
}

fn record(at: OffsetDateTime, connection: u8, status: Option<u16>) -> CallRecord {
    CallRecord {
        at,
        connection_id: Some(conn(connection)),
        action: Some(
            if status.is_some_and(|s| s >= 400) {
                "delete_a_group"
            } else {
                "list_all_users"
            }
            .into(),
        ),
        status,
        latency: Duration::from_micros(1234),
        okta_request_id: Some("reqXYZ".into()),
        error_code: status.filter(|s| *s >= 400).map(|_| "E0000007".into()),
        via: (connection == 1).then(|| "mcp".into()),
        ..CallRecord::new("GET", "/api/v1/users")
    }
}

async fn records_round_trip_newest_first(db: TestDb) {
    let log = db.store.calls();
    let t0 = ms(OffsetDateTime::now_utc());
    let first = record(t0 - Duration::from_secs(5), 1, Some(200));
    let second = CallRecord {
        connection_id: None,
        action: None,
        status: None,
        okta_request_id: None,
        error_code: None,
        ..record(t0, 2, None)
    };
    let id1 = log.record(first.clone()).await.expect("record");
    let id2 = log.record(second.clone()).await.expect("record");
    assert!(id1.as_str().starts_with("call_"));
    let page = log.list(&CallFilter::new(), None, 10).await.expect("list");
    assert_eq!(page.next, None);
    assert_eq!(page.items.len(), 2);
    assert_eq!(
        (page.items[0].id.clone(), page.items[0].record.clone()),
        (id2, second)
    );
    assert_eq!(
        (page.items[1].id.clone(), page.items[1].record.clone()),
        (id1, first)
    );
    // The JSON view the gateway can return as is.
    let json = serde_json::to_value(&page.items[1]).expect("json");
    assert_eq!(json["id"], page.items[1].id.as_str());
    assert_eq!(json["latency_ms"], 1.234);
    assert_eq!(json["status"], 200);
    assert_eq!(json["error_code"], serde_json::Value::Null);
    assert!(
        json["at"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{json}"
    );
}

async fn cursor_paging_visits_each_record_once(db: TestDb) {
    let log = db.store.calls();
    let t0 = ms(OffsetDateTime::now_utc());
    let mut expected = HashSet::new();
    for i in 0..37u64 {
        // Groups of three share a timestamp, so the id breaks ties.
        let at = t0 - Duration::from_millis(i / 3);
        let id = log
            .record(record(at, (i % 2) as u8, Some(200)))
            .await
            .expect("record");
        expected.insert(id);
    }
    // The walk over everything also sees the record inserted during the first walk.
    for (filter, want) in [
        (CallFilter::new().connection(conn(1)), 18),
        (CallFilter::new(), 38),
    ] {
        let mut inserted_mid_walk = None;
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        let mut pages = 0;
        loop {
            let page = log.list(&filter, cursor.as_deref(), 5).await.expect("page");
            assert!(page.items.len() <= 5);
            seen.extend(page.items);
            pages += 1;
            match page.next {
                Some(next) => cursor = Some(next),
                None => break,
            }
            // A record inserted mid-walk, newer than the cursor, is not visited.
            if pages == 2 {
                let mut newer = record(t0 + Duration::from_secs(60), 0, Some(200));
                newer.connection_id = filter.connection_id.clone();
                inserted_mid_walk = Some(log.record(newer).await.expect("record"));
            }
        }
        assert_eq!(seen.len(), want, "{filter:?}");
        let ids: HashSet<_> = seen.iter().map(|c| c.id.clone()).collect();
        assert_eq!(ids.len(), want, "no duplicates");
        assert!(ids.is_subset(&expected));
        expected.extend(inserted_mid_walk);
        assert!(
            seen.windows(2)
                .all(|w| (w[0].record.at, &w[0].id) > (w[1].record.at, &w[1].id)),
            "strictly newest first"
        );
        assert_eq!(pages, want.div_ceil(5));
    }
}

async fn filters_select_matching_calls(db: TestDb) {
    let log = db.store.calls();
    let t0 = ms(OffsetDateTime::now_utc());
    log.record(record(t0 - Duration::from_secs(3600), 1, Some(200)))
        .await
        .expect("r");
    log.record(record(t0 - Duration::from_secs(10), 1, Some(404)))
        .await
        .expect("r");
    log.record(record(t0 - Duration::from_secs(5), 2, Some(500)))
        .await
        .expect("r");
    log.record(record(t0, 2, None)).await.expect("r");
    let count =
        |f: CallFilter| async move { log.list(&f, None, 100).await.expect("list").items.len() };
    assert_eq!(count(CallFilter::new()).await, 4);
    assert_eq!(count(CallFilter::new().connection(conn(1))).await, 2);
    assert_eq!(count(CallFilter::new().action("delete_a_group")).await, 2);
    assert_eq!(count(CallFilter::new().status(400..=599)).await, 2);
    assert_eq!(count(CallFilter::new().status(500..=500)).await, 1);
    assert_eq!(
        count(CallFilter::new().since(t0 - Duration::from_secs(10))).await,
        3
    );
    assert_eq!(
        count(
            CallFilter::new()
                .connection(conn(2))
                .status(400..=599)
                .since(t0 - Duration::from_secs(60))
        )
        .await,
        1
    );
}

async fn foreign_cursors_are_refused(db: TestDb) {
    let log = db.store.calls();
    let t0 = OffsetDateTime::now_utc();
    for i in 0..3 {
        log.record(record(t0 - Duration::from_secs(i), 1, Some(200)))
            .await
            .expect("r");
    }
    let page = log.list(&CallFilter::new(), None, 1).await.expect("list");
    let next = page.next.expect("more pages");
    let err = log
        .list(&CallFilter::new().connection(conn(1)), Some(&next), 1)
        .await
        .expect_err("cursor from another filter");
    assert!(matches!(err, StoreError::InvalidCursor { .. }), "{err:?}");
    for garbage in ["", "abc", "%%%", "AAAAAAAAAAAAAAAAAAAAAAAAAA"] {
        assert!(
            matches!(
                log.list(&CallFilter::new(), Some(garbage), 1).await,
                Err(StoreError::InvalidCursor { .. })
            ),
            "{garbage:?}"
        );
    }
}

async fn prune_respects_the_cutoff(db: TestDb) {
    let log = db.store.calls();
    let now = ms(OffsetDateTime::now_utc());
    let day = Duration::from_secs(86_400);
    let cutoff = now - 7 * day;
    log.record(record(now - 30 * day, 1, Some(200)))
        .await
        .expect("r");
    log.record(record(cutoff - Duration::from_millis(1), 1, Some(200)))
        .await
        .expect("r");
    let at_cutoff = log.record(record(cutoff, 1, Some(200))).await.expect("r");
    let recent = log.record(record(now, 1, Some(200))).await.expect("r");
    assert_eq!(log.prune(cutoff).await.expect("prune"), 2);
    let left: HashSet<_> = log
        .list(&CallFilter::new(), None, 100)
        .await
        .expect("list")
        .items
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(left, HashSet::from([at_cutoff, recent]));
    assert_eq!(log.prune(cutoff).await.expect("prune again"), 0);
}

async fn oversized_fields_are_cut_not_refused(db: TestDb) {
    let log = db.store.calls();
    let record = CallRecord {
        action: Some("a".repeat(1000)),
        okta_request_id: Some("é".repeat(1000)),
        error_code: Some("E0000001\0".into()),
        ..CallRecord::new("GET", format!("/api/v1/users?q={}", "é".repeat(5000)))
    };
    log.record(record).await.expect("record");
    let page = log.list(&CallFilter::new(), None, 1).await.expect("list");
    let stored = &page.items[0].record;
    assert!(stored.path.len() <= 2048 && stored.path.starts_with("/api/v1/users?q=é"));
    assert_eq!(stored.action.as_deref().map(str::len), Some(128));
    assert_eq!(stored.error_code.as_deref(), Some("E0000001"));
    assert!(
        stored
            .okta_request_id
            .as_deref()
            .is_some_and(|r| r.len() <= 128 && r.chars().all(|c| c == 'é'))
    );
}

/// A batch spanning several `INSERT` statements comes back whole, with the ids it returned, and
/// its fields cut like single records.
async fn a_batch_is_written_whole(db: TestDb) {
    let log = db.store.calls();
    assert_eq!(
        log.record_batch(Vec::new()).await.expect("empty"),
        Vec::new()
    );
    let t0 = ms(OffsetDateTime::now_utc());
    let n = 2 * BATCH_CHUNK_ROWS + 7;
    let mut records: Vec<CallRecord> = (0..n)
        .map(|i| {
            record(
                t0 - Duration::from_millis(i as u64),
                (i % 3) as u8,
                (i % 2 == 0).then_some(404),
            )
        })
        .collect();
    records[5].path = format!("/api/v1/users?q={}", "é".repeat(5000));
    records[6].error_code = Some("E0000001\0".into());
    records[7].connection_id = None;
    records[7].latency = Duration::from_secs(3);
    let ids = log.record_batch(records.clone()).await.expect("batch");
    assert_eq!(ids.len(), n);
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), n, "distinct ids");
    // Newest first is the order they were built in.
    let page = log
        .list(&CallFilter::new(), None, 1000)
        .await
        .expect("list");
    assert_eq!(page.items.len(), n);
    for (i, (stored, (id, want))) in page.items.iter().zip(ids.iter().zip(&records)).enumerate() {
        assert_eq!(&stored.id, id, "row {i}");
        match i {
            5 => {
                assert!(stored.record.path.len() <= 2048);
                assert!(stored.record.path.starts_with("/api/v1/users?q=é"));
            }
            6 => assert_eq!(stored.record.error_code.as_deref(), Some("E0000001")),
            _ => assert_eq!(&stored.record, want, "row {i}"),
        }
    }
    // A one-record batch is the same as `record`.
    let single = log
        .record_batch(vec![record(t0 + Duration::from_secs(1), 1, Some(200))])
        .await
        .expect("one");
    assert_eq!(single.len(), 1);
    let newest = log.list(&CallFilter::new(), None, 1).await.expect("list");
    assert_eq!(newest.items[0].id, single[0]);
}

both_backends!(
    a_batch_is_written_whole,
    oversized_fields_are_cut_not_refused,
    records_round_trip_newest_first,
    cursor_paging_visits_each_record_once,
    filters_select_matching_calls,
    foreign_cursors_are_refused,
    prune_respects_the_cutoff,
);
