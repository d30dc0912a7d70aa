//! Access to the reference material in `../shared` (beside the repository, never copied into it).

use std::path::PathBuf;

/// The reference folder: `$SPINDLE_SHARED_DIR`, or `shared/` beside the repository.
pub fn dir() -> PathBuf {
    match std::env::var_os("SPINDLE_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// Reads a reference file, or returns `None` after saying clearly that it is absent. With
/// `SPINDLE_NO_SKIP=1` (CI sets it) absence is a failure instead.
pub fn read(relative: &str) -> Option<String> {
    let path = dir().join(relative);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(err) => {
            let message = format!(
                "reference file {} is not readable ({err}); set SPINDLE_SHARED_DIR to the folder holding \
                 seed/ and okta/",
                path.display()
            );
            if std::env::var("SPINDLE_NO_SKIP").is_ok_and(|v| v == "1") {
                panic!("{message} (SPINDLE_NO_SKIP=1 makes this a failure)");
            }
            eprintln!("SKIPPED: {message}");
            None
        }
    }
}
