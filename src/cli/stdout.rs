//! Console output that survives a closed stdout (`faas-certifier run --list | head -3`):
//! writes that fail are dropped, so the run ends with its usual status and reports.

use super::terminal::{write, Stream};

/// Writes `text` to stdout and flushes; a closed or broken stdout is ignored.
pub fn put(text: &str) {
    write(Stream::Stdout, text);
}

/// Prints trial names as `cargo test -- --list` does (`NAME: test`).
pub fn list<'a>(names: impl IntoIterator<Item = &'a str>) {
    let mut text = String::new();
    for name in names {
        text.push_str(name);
        text.push_str(": test\n");
    }
    put(&text);
}
