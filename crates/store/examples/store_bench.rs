//! Measures the store's hot paths on one database: `cargo run --release -p spindle-store
//! --example store_bench -- DATABASE_URL [N]`. Prints one Markdown table row per operation.
//! `bench/store.sh` runs it against SQLite and PostgreSQL in the same run.

use std::time::{Duration, Instant};

use spindle_store::{
    ApiKeyScope, CallFilter, CallRecord, ConnectionId, ExposeSecret, MasterKey, NewConnection,
    Store,
};

fn row(backend: &str, op: &str, n: usize, elapsed: Duration) {
    let per = elapsed / u32::try_from(n).unwrap_or(u32::MAX).max(1);
    let rate = n as f64 / elapsed.as_secs_f64();
    println!("| {backend} | {op} | {n} | {per:.1?} | {rate:.0}/s |");
}

fn record(conn: &ConnectionId, i: usize) -> CallRecord {
    CallRecord {
        connection_id: Some(conn.clone()),
        action: Some("list_all_users".into()),
        status: Some(if i.is_multiple_of(10) { 429 } else { 200 }),
        latency: Duration::from_millis(42),
        okta_request_id: Some("XbenchRequestId".into()),
        ..CallRecord::new("GET", "/api/v1/users")
    }
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let url = args.next().ok_or("usage: store_bench DATABASE_URL [N]")?;
    let n: usize = args.next().map(|s| s.parse()).transpose()?.unwrap_or(2000);
    let backend = if url.starts_with("sqlite") {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let store = Store::connect(&url, MasterKey::generate()).await?;

    let conn = store
        .connections()
        .create(NewConnection::api_token(
            format!("bench-{}", std::process::id()),
            "https://bench.okta.com",
            "00benchtoken".into(),
        ))
        .await?;
    let start = Instant::now();
    for _ in 0..n {
        store.connections().credentials(&conn.id).await?;
    }
    row(backend, "credentials (read + decrypt)", n, start.elapsed());

    let (_, secret) = store.api_keys().create("bench", ApiKeyScope::Full).await?;
    let start = Instant::now();
    for _ in 0..n {
        store
            .api_keys()
            .authenticate(secret.expose_secret())
            .await?
            .ok_or("key rejected")?;
    }
    row(backend, "api key authenticate", n, start.elapsed());

    let start = Instant::now();
    for i in 0..n {
        store.calls().record(record(&conn.id, i)).await?;
    }
    row(backend, "call log record (sequential)", n, start.elapsed());

    let start = Instant::now();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let conn = conn.id.clone();
            tokio::spawn(async move {
                for i in 0..n / 8 {
                    store.calls().record(record(&conn, i)).await?;
                }
                Ok::<_, spindle_store::StoreError>(())
            })
        })
        .collect();
    for t in tasks {
        t.await??;
    }
    row(
        backend,
        "call log record (8 tasks)",
        n / 8 * 8,
        start.elapsed(),
    );

    let filter = CallFilter::new().connection(conn.id.clone());
    let start = Instant::now();
    let (mut pages, mut rows, mut cursor) = (0, 0, None::<String>);
    loop {
        let page = store.calls().list(&filter, cursor.as_deref(), 100).await?;
        pages += 1;
        rows += page.items.len();
        match page.next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    row(
        backend,
        &format!("call log page of 100 ({rows} rows)"),
        pages,
        start.elapsed(),
    );

    let start = Instant::now();
    let deleted = store.calls().prune(time::OffsetDateTime::now_utc()).await?;
    row(
        backend,
        &format!("prune ({deleted} rows, one statement)"),
        1,
        start.elapsed(),
    );

    store.connections().delete(&conn.id).await?;
    store.close().await;
    Ok(())
}
