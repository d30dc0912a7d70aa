//! Writing to standard output.
//!
//! Output goes through one locked, buffered writer. A closed pipe (`spindle actions list | head`)
//! ends the output quietly instead of failing, as Unix tools do.

use std::io::{self, BufWriter, Write};

use crate::CliError;

/// Runs `write` against a buffered standard output and flushes it.
pub fn with_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    match write(&mut out).and_then(|()| out.flush()) {
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
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
