//! The paging scenario both official SDKs run: 1,000+ users walked with `limit=200` through the
//! SDK's own pagination, each listable user visited exactly once.

use spindle_emulator::EmulatorConfig;

use crate::support::{self, run_node, run_python};

/// Which official SDK runs the paging script.
#[derive(Debug, Clone, Copy)]
pub enum Sdk {
    /// PyPI `okta`, script tests/sdk/python/paging.py.
    Python,
    /// npm `@okta/okta-sdk-nodejs`, script tests/sdk/node/paging.cjs.
    Node,
}

/// Starts an org of 1,205 users, runs the SDK's paging script and checks what it visited
/// against the emulator's state and request log.
pub async fn pages_each_listable_user_exactly_once(sdk: Sdk) {
    let emu = support::start(EmulatorConfig {
        users: 1205,
        groups: 3,
        ..Default::default()
    })
    .await;
    let visited_file = support::scratch_dir().join("visited-user-ids.txt");
    let env = [(
        "VISITED_IDS_FILE",
        visited_file.to_string_lossy().into_owned(),
    )];
    let out = match sdk {
        Sdk::Python => run_python("paging.py", &emu, &env).await,
        Sdk::Node => run_node("paging.cjs", &emu, &env).await,
    };
    if let Some(out) = out {
        check_walk(&emu, &visited_file, &out.stdout).await;
    }
    emu.shutdown().await;
}

async fn check_walk(
    emu: &spindle_emulator::Emulator,
    visited_file: &std::path::Path,
    stdout: &str,
) {
    let text = std::fs::read_to_string(visited_file).expect("the script wrote the visited ids");
    let visited: Vec<String> = text.lines().map(str::to_owned).collect();
    assert!(
        visited.len() >= 1000,
        "1,000+ users visited: {}",
        visited.len()
    );
    assert!(
        stdout.contains(&format!("paged {} users", visited.len())),
        "the script reports what it paged: {stdout}"
    );
    crate::admin::assert_visited_all_listable_users(emu, &visited).await;
    let pages: Vec<_> = crate::admin::requests(emu)
        .await
        .into_iter()
        .filter(|r| r.method == "GET" && r.path == "/api/v1/users")
        .collect();
    let full = visited.len().div_ceil(200);
    assert!(
        pages.len() == full || pages.len() == full + 1,
        "{} users at 200 per page take {full} pages (one more if the last is full), the log shows {pages:?}",
        visited.len()
    );
    assert!(
        pages.iter().all(
            |r| r.status == 200 && r.query.as_deref().unwrap_or_default().contains("limit=200")
        ),
        "every page asked for 200 and got 200: {pages:?}"
    );
}
