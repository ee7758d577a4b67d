//! Exponential backoff for polls and retries: starts at a few milliseconds, doubles, capped.

use std::time::Duration;

/// The first pause between attempts.
pub const INITIAL: Duration = Duration::from_millis(5);

/// The pauses between attempts: `INITIAL`, doubling up to `max`.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
    max: Duration,
}

impl Backoff {
    /// A backoff whose pauses never exceed `max`.
    pub fn new(max: Duration) -> Self {
        Backoff {
            next: INITIAL.min(max),
            max,
        }
    }
}

impl Iterator for Backoff {
    type Item = Duration;

    fn next(&mut self) -> Option<Duration> {
        let current = self.next;
        self.next = (self.next * 2).min(self.max);
        Some(current)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_from_a_few_milliseconds_up_to_the_cap() {
        let pauses: Vec<u128> = Backoff::new(Duration::from_millis(50))
            .take(6)
            .map(|d| d.as_millis())
            .collect();
        assert_eq!(pauses, vec![5, 10, 20, 40, 50, 50]);
    }

    #[test]
    fn cap_below_initial_wins() {
        let first = Backoff::new(Duration::from_millis(2)).next().unwrap();
        assert_eq!(first, Duration::from_millis(2));
    }
}
