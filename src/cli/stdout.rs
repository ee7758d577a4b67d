//! Console output that survives a closed stdout (`faas-certifier run --list | head -3`):
//! writes that fail are dropped, so the run ends with its usual status and reports.

use std::io::Write;
use std::sync::mpsc::{channel, Sender};
use std::time::Duration;

/// Writes `text` to stdout and flushes; a closed or broken stdout is ignored.
pub fn put(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// What the writer thread of [`Background`] is handed.
enum Message {
    /// Text to write.
    Text(String),
    /// Answered once everything sent before it is written.
    Drained(Sender<()>),
}

/// Stdout written by a thread of its own: the console's lines during a run are handed over,
/// so the runtime's workers (which end cases, keep deadlines and clean up) never wait on a
/// stdout that does not drain. Lines keep their order.
#[derive(Debug, Clone)]
pub struct Background {
    /// `None` when no thread could be started: then lines are written at once.
    to: Option<Sender<Message>>,
}

impl Background {
    /// Starts the writer thread, writing to stdout.
    pub fn start() -> Self {
        Self::start_with(put)
    }

    /// Starts the writer thread, handing each text to `write`.
    fn start_with(mut write: impl FnMut(&str) + Send + 'static) -> Self {
        let (to, from) = channel::<Message>();
        let started = std::thread::Builder::new()
            .name("stdout".into())
            .spawn(move || {
                for message in from {
                    match message {
                        Message::Text(text) => write(&text),
                        Message::Drained(done) => {
                            let _ = done.send(());
                        }
                    }
                }
            });
        Self {
            to: started.ok().map(|_| to),
        }
    }

    /// Hands `text` to the writer thread.
    pub fn put(&self, text: &str) {
        let sent = self
            .to
            .as_ref()
            .is_some_and(|to| to.send(Message::Text(text.to_string())).is_ok());
        if !sent {
            put(text);
        }
    }

    /// Waits until every line handed over so far is written, at most `within`; whether it was.
    pub fn drain(&self, within: Duration) -> bool {
        let Some(to) = &self.to else { return true };
        let (done, drained) = channel();
        to.send(Message::Drained(done)).is_ok() && drained.recv_timeout(within).is_ok()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_written_in_order_before_drain_returns() {
        let written = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = written.clone();
        let out = Background::start_with(move |t| sink.lock().unwrap().push(t.to_string()));
        for line in ["a\n", "b\n", "c\n"] {
            out.put(line);
        }
        assert!(out.drain(Duration::from_secs(10)));
        assert_eq!(*written.lock().unwrap(), ["a\n", "b\n", "c\n"]);
    }

    #[test]
    fn a_stdout_that_never_drains_stalls_neither_put_nor_drain() {
        let (release, blocked) = channel::<()>();
        let out = Background::start_with(move |_| {
            let _ = blocked.recv();
        });
        // Writing into it would block these calls for good; handing over does not.
        for _ in 0..1000 {
            out.put("a line nobody reads\n");
        }
        assert!(!out.drain(Duration::from_millis(50)), "drain gives up");
        drop(release);
    }
}
