//! Writing to standard output.
//!
//! Output goes through one locked, buffered writer. A closed pipe (`spindle actions list | head`)
//! ends the output quietly instead of failing, as Unix tools do.

use std::io::{self, BufWriter, Write};

use serde_json::value::RawValue;

use crate::CliError;

/// Runs `write` against a buffered standard output and flushes it (a [`Stdout`] used once).
pub fn with_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), CliError> {
    Stdout::new().write(write)
}

/// Standard output for a command that writes as it goes (`spindle run --all --jsonl`): one
/// locked, buffered writer for the whole command, flushed after each [`write`](Self::write). A
/// closed pipe ends the output quietly: later writes are dropped.
#[derive(Debug)]
pub struct Stdout {
    out: Option<BufWriter<io::StdoutLock<'static>>>,
}

impl Stdout {
    /// Locks standard output for the life of this writer.
    pub fn new() -> Self {
        Self {
            out: Some(BufWriter::with_capacity(64 * 1024, io::stdout().lock())),
        }
    }

    /// Runs `write` against the buffered output and flushes it.
    pub fn write(
        &mut self,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<(), CliError> {
        let Some(out) = self.out.as_mut() else {
            return Ok(());
        };
        match write(out).and_then(|()| out.flush()) {
            Err(err) if err.kind() == io::ErrorKind::BrokenPipe => {
                // Nothing more can be written; drop what is buffered without writing it.
                if let Some(out) = self.out.take() {
                    let _ = out.into_parts();
                }
                Ok(())
            }
            other => Ok(other?),
        }
    }
}

impl Default for Stdout {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes `value` as one line of compact JSON. Text that is already compact JSON (an action's
/// output, Okta's items) is written as it is; only text holding a line break is re-encoded.
pub fn json_line(out: &mut dyn Write, json: &RawValue) -> io::Result<()> {
    let text = json.get();
    // Two `memchr` scans: a JSON string holds no raw line break, so one is whitespace to drop.
    if text.contains('\n') || text.contains('\r') {
        let value: serde_json::Value = serde_json::from_str(text)?;
        serde_json::to_writer(&mut *out, &value)?;
    } else {
        out.write_all(text.as_bytes())?;
    }
    out.write_all(b"\n")
}

/// Writes a decoded JSON value as one line of compact JSON.
pub fn value_line(out: &mut dyn Write, value: &serde_json::Value) -> io::Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.write_all(b"\n")
}

/// Writes `value` as pretty-printed JSON followed by a newline.
pub fn json(out: &mut dyn Write, value: &impl serde::Serialize) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, value)?;
    writeln!(out)
}

/// Greedy word wrap of `text` to lines of at most `width` characters (a longer word gets a line of
/// its own), each line prefixed by `indent`.
pub fn wrap(out: &mut dyn Write, text: &str, indent: &str, width: usize) -> io::Result<()> {
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.len() + 1 + word.len() > width {
            writeln!(out, "{indent}{line}")?;
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        writeln!(out, "{indent}{line}")?;
    }
    Ok(())
}
