//! The terminal's one writer during a run. A thread of its own writes every line of the
//! console (stdout) and every line for stderr, and owns the live status area
//! ([`Live`]) when there is one: each line is written with the area hidden, then the area
//! is drawn again below it. Two writers on one terminal lose lines — the area's redraw moves
//! the cursor up over lines it did not draw and erases them, and a line written mid-redraw
//! leaves a stale copy of the area behind — so nothing else writes while the area is live.
//!
//! The runtime's workers (which end cases, keep deadlines and clean up) only hand text and
//! [`Update`]s over, so they never wait on a terminal or stdout that does not drain. Lines
//! keep their order. Without a status area (piped, CI, `-q`) the text is written as it is,
//! byte for byte.

use std::io::Write;
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use super::progress::{Live, Update};

/// Which stream a text goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    /// The console's lines.
    Stdout,
    /// Notices and logs.
    Stderr,
}

/// What the writer thread is handed.
enum Message {
    /// Text to write.
    Text(Stream, String),
    /// A change to the status area.
    Status(Update),
    /// The status area goes.
    Clear,
    /// Answered once everything sent before it is written.
    Drained(Sender<()>),
}

/// A handle on the terminal's writer thread; clones share it.
#[derive(Debug, Clone)]
pub struct Terminal {
    /// `None` when no thread could be started: then text is written at once.
    to: Option<Sender<Message>>,
    /// Whether the writer draws a status area.
    live: bool,
}

/// The writer while its status area is live, for text written far from the run (logs, the
/// interrupt notice): see [`eprint`].
static LIVE: Mutex<Option<Terminal>> = Mutex::new(None);

/// Writes `text` to `stream` and flushes; a closed or broken stream is ignored (a run piped
/// into `head` ends with its usual status and reports).
pub fn write(stream: Stream, text: &str) {
    let _ = match stream {
        Stream::Stdout => {
            let mut out = std::io::stdout().lock();
            out.write_all(text.as_bytes()).and_then(|()| out.flush())
        }
        Stream::Stderr => {
            let mut err = std::io::stderr().lock();
            err.write_all(text.as_bytes()).and_then(|()| err.flush())
        }
    };
}

impl Terminal {
    /// Starts the writer thread on stdout and stderr; with `status_area` it draws the status
    /// area on stderr (see [`Live::wanted`]) and writes every line above it.
    pub fn start(status_area: bool) -> Self {
        let terminal = Self::start_with(write, status_area.then_some(Live::start as fn() -> Live));
        if terminal.live {
            *LIVE.lock().unwrap_or_else(PoisonError::into_inner) = Some(terminal.clone());
        }
        terminal
    }

    /// Starts the writer thread, handing each text to `write`, drawing the area `area`
    /// starts (on the writer thread, so that only it draws).
    fn start_with(
        write: impl FnMut(Stream, &str) + Send + 'static,
        area: Option<fn() -> Live>,
    ) -> Self {
        let (to, from) = channel::<Message>();
        let started = std::thread::Builder::new()
            .name("terminal".into())
            .spawn(move || serve(&from, write, area.map(|start| start())));
        Self {
            live: area.is_some() && started.is_ok(),
            to: started.ok().map(|_| to),
        }
    }

    /// Hands `text` for stdout to the writer.
    pub fn put(&self, text: &str) {
        self.text(Stream::Stdout, text);
    }

    /// Hands `text` for stderr to the writer.
    pub fn eput(&self, text: &str) {
        self.text(Stream::Stderr, text);
    }

    fn text(&self, stream: Stream, text: &str) {
        let sent = self
            .to
            .as_ref()
            .is_some_and(|to| to.send(Message::Text(stream, text.to_string())).is_ok());
        if !sent {
            write(stream, text);
        }
    }

    /// Hands a change of the status area over; nothing without one.
    pub fn status(&self, update: Update) {
        if let Some(to) = self.to.as_ref().filter(|_| self.live) {
            let _ = to.send(Message::Status(update));
        }
    }

    /// Removes the status area after every line handed over so far, and waits (at most
    /// `within`) until it is gone; from now on stderr is written directly. Nothing without
    /// a status area.
    pub fn clear_status(&self, within: Duration) {
        let Some(to) = self.to.as_ref().filter(|_| self.live) else {
            return;
        };
        LIVE.lock().unwrap_or_else(PoisonError::into_inner).take();
        let _ = to.send(Message::Clear);
        self.drain(within);
    }

    /// Waits until everything handed over so far is written, at most `within`; whether it
    /// was.
    pub fn drain(&self, within: Duration) -> bool {
        let Some(to) = &self.to else { return true };
        let (done, drained) = channel();
        to.send(Message::Drained(done)).is_ok() && drained.recv_timeout(within).is_ok()
    }
}

/// The writer thread: writes each text (above the status area when there is one) and
/// applies each update, in the order they were sent.
fn serve(from: &Receiver<Message>, mut write: impl FnMut(Stream, &str), mut live: Option<Live>) {
    for message in from {
        match message {
            Message::Text(stream, text) => match &live {
                Some(area) => area.suspend(|| write(stream, &text)),
                None => write(stream, &text),
            },
            Message::Status(update) => {
                if let Some(area) = &mut live {
                    area.apply(update);
                }
            }
            Message::Clear => {
                if let Some(area) = live.take() {
                    area.clear();
                }
            }
            Message::Drained(done) => {
                let _ = done.send(());
            }
        }
    }
    if let Some(area) = live {
        area.clear();
    }
}

/// Writes `text` to stderr: through the writer while a status area is live (so it lands
/// above the area), at once otherwise.
pub fn eprint(text: &str) {
    let live = LIVE.lock().unwrap_or_else(PoisonError::into_inner).clone();
    match live {
        Some(terminal) => terminal.eput(text),
        None => write(Stream::Stderr, text),
    }
}

/// Removes a live status area and writes what was handed over, waiting at most `within`:
/// for a process about to exit.
pub fn close(within: Duration) {
    let live = LIVE.lock().unwrap_or_else(PoisonError::into_inner).clone();
    if let Some(terminal) = live {
        terminal.clear_status(within);
    }
}

/// A log record on its way to stderr through [`eprint`], as one text (`tracing`'s writer).
#[derive(Debug, Default)]
pub struct LogLine(Vec<u8>);

impl Write for LogLine {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for LogLine {
    fn drop(&mut self) {
        if !self.0.is_empty() {
            eprint(&String::from_utf8_lossy(&self.0));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    type Written = Arc<Mutex<Vec<(Stream, String)>>>;

    fn recording() -> (Written, impl FnMut(Stream, &str) + Send + 'static) {
        let written = Written::default();
        let sink = written.clone();
        (written, move |s, t: &str| {
            sink.lock().unwrap().push((s, t.to_string()))
        })
    }

    #[test]
    fn lines_are_written_in_order_before_drain_returns() {
        let (written, sink) = recording();
        let out = Terminal::start_with(sink, None);
        out.put("a\n");
        out.eput("b\n");
        out.put("c\n");
        assert!(out.drain(Duration::from_secs(10)));
        let want = [
            (Stream::Stdout, "a\n"),
            (Stream::Stderr, "b\n"),
            (Stream::Stdout, "c\n"),
        ]
        .map(|(s, t)| (s, t.to_string()));
        assert_eq!(*written.lock().unwrap(), want);
    }

    #[test]
    fn a_stdout_that_never_drains_stalls_neither_put_nor_drain() {
        let (release, blocked) = channel::<()>();
        let out = Terminal::start_with(
            move |_, _| {
                let _ = blocked.recv();
            },
            None,
        );
        // Writing into it would block these calls for good; handing over does not.
        for _ in 0..1000 {
            out.put("a line nobody reads\n");
        }
        assert!(!out.drain(Duration::from_millis(50)), "drain gives up");
        drop(release);
    }

    #[test]
    fn a_log_record_is_one_text() {
        let mut line = LogLine::default();
        line.write_all(b"WARN ").unwrap();
        line.write_all(b"x\n").unwrap();
        assert_eq!(line.0, b"WARN x\n");
    }
}
