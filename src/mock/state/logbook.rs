//! Function logs: a bounded history per function and a live feed for `follow=true`.

use std::collections::{HashMap, VecDeque};

use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

use crate::model::LogMessage;

/// How many live lines a follower may fall behind the feed before it catches up from the
/// history instead ([`Logbook::after`]); small, since every mock preallocates it.
const FEED_CAPACITY: usize = 128;

/// One recorded log line.
#[derive(Debug, Clone)]
pub struct LogEntry {
    /// Position in the mock's whole log, so a follower can skip what it already sent.
    pub seq: u64,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// The message as `/system/logs` renders it.
    pub message: LogMessage,
}

/// Which lines a reader wants.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub name: String,
    pub namespace: String,
    pub instance: Option<String>,
    pub since: Option<DateTime<Utc>>,
}

impl LogFilter {
    pub fn matches(&self, entry: &LogEntry) -> bool {
        entry.message.name == self.name
            && entry.message.namespace == self.namespace
            && self
                .instance
                .as_ref()
                .is_none_or(|i| &entry.message.instance == i)
            && self.since.is_none_or(|s| entry.at >= s)
    }
}

/// Every function's recent log lines.
#[derive(Debug)]
pub struct Logbook {
    /// Lines per `(namespace, function)`, oldest first, at most `capacity` each.
    lines: HashMap<(String, String), VecDeque<LogEntry>>,
    /// Lines kept per function.
    capacity: usize,
    /// The next sequence number.
    next_seq: u64,
    /// New lines, for followers.
    feed: broadcast::Sender<LogEntry>,
}

impl Logbook {
    pub fn new(capacity: usize) -> Self {
        let (feed, _) = broadcast::channel(FEED_CAPACITY);
        Self {
            lines: HashMap::new(),
            capacity: capacity.max(1),
            next_seq: 0,
            feed,
        }
    }

    /// Appends a line written by `instance` of a function, in the watchdog's format.
    pub fn write(&mut self, namespace: &str, name: &str, instance: &str, text: &str) {
        let at = Utc::now();
        let entry = LogEntry {
            seq: self.next_seq,
            at,
            message: LogMessage {
                name: name.to_string(),
                namespace: namespace.to_string(),
                instance: instance.to_string(),
                timestamp: at.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
                text: format!("{} {text}", at.format("%Y/%m/%d %H:%M:%S")),
            },
        };
        self.next_seq += 1;
        let lines = self
            .lines
            .entry((namespace.to_string(), name.to_string()))
            .or_default();
        if lines.len() == self.capacity {
            lines.pop_front();
        }
        lines.push_back(entry.clone());
        // No follower listening is the normal case.
        let _ = self.feed.send(entry);
    }

    /// The matching history, keeping the last `tail` lines when `tail > 0`.
    pub fn read(&self, filter: &LogFilter, tail: i64) -> Vec<LogEntry> {
        let key = (filter.namespace.clone(), filter.name.clone());
        let mut found: Vec<LogEntry> = self
            .lines
            .get(&key)
            .map(|lines| {
                lines
                    .iter()
                    .filter(|e| filter.matches(e))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if tail > 0 {
            let keep = usize::try_from(tail).unwrap_or(usize::MAX);
            if found.len() > keep {
                found.drain(..found.len() - keep);
            }
        }
        found
    }

    /// The matching lines written after the line numbered `last` (all when `None`): how a
    /// follower that fell behind the live feed catches up without a gap.
    pub fn after(&self, filter: &LogFilter, last: Option<u64>) -> Vec<LogEntry> {
        let mut found = self.read(filter, 0);
        found.retain(|e| last.is_none_or(|s| e.seq > s));
        found
    }

    /// A receiver of every line written from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<LogEntry> {
        self.feed.subscribe()
    }

    /// Forgets a deleted function's lines.
    pub fn forget(&mut self, namespace: &str, name: &str) {
        self.lines
            .remove(&(namespace.to_string(), name.to_string()));
    }

    /// Forgets every line of a deleted namespace.
    pub fn forget_namespace(&mut self, namespace: &str) {
        self.lines.retain(|(ns, _), _| ns != namespace);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(name: &str) -> LogFilter {
        LogFilter {
            name: name.into(),
            namespace: "ns".into(),
            ..Default::default()
        }
    }

    #[test]
    fn history_is_bounded_and_tail_keeps_the_last() {
        let mut book = Logbook::new(3);
        for i in 0..5 {
            book.write("ns", "f", "f-1", &format!("line {i}"));
        }
        book.write("ns", "g", "g-1", "other");
        let all = book.read(&filter("f"), 0);
        assert_eq!(all.len(), 3);
        assert!(all[0].message.text.ends_with("line 2"));
        let last = book.read(&filter("f"), 1);
        assert_eq!(last.len(), 1);
        assert!(last[0].message.text.ends_with("line 4"));
        assert_eq!(book.read(&filter("g"), -1).len(), 1);
    }

    #[test]
    fn since_and_instance_filter() {
        let mut book = Logbook::new(10);
        book.write("ns", "f", "a", "one");
        book.write("ns", "f", "b", "two");
        let f = LogFilter {
            instance: Some("b".into()),
            ..filter("f")
        };
        assert_eq!(book.read(&f, 0).len(), 1);
        let later = LogFilter {
            since: Some(Utc::now() + chrono::Duration::seconds(5)),
            ..filter("f")
        };
        assert!(book.read(&later, 0).is_empty());
    }

    #[test]
    fn followers_receive_new_lines() {
        let mut book = Logbook::new(10);
        let mut rx = book.subscribe();
        book.write("ns", "f", "a", "hello");
        let got = rx.try_recv().unwrap();
        assert!(got.message.text.ends_with("hello"));
    }

    #[test]
    fn a_follower_that_falls_behind_catches_up_from_the_history_without_a_gap() {
        let mut book = Logbook::new(1000);
        let mut rx = book.subscribe();
        book.write("ns", "f", "a", "line 0");
        let first = rx.try_recv().unwrap();
        for i in 1..(FEED_CAPACITY * 2) {
            book.write("ns", "f", "a", &format!("line {i}"));
            book.write("ns", "g", "b", "other");
        }
        assert!(matches!(
            rx.try_recv(),
            Err(broadcast::error::TryRecvError::Lagged(_))
        ));
        let rest = book.after(&filter("f"), Some(first.seq));
        assert_eq!(rest.len(), FEED_CAPACITY * 2 - 1);
        for (i, entry) in rest.iter().enumerate() {
            assert!(entry.message.text.ends_with(&format!("line {}", i + 1)));
        }
    }
}
