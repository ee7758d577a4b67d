//! Running many trials at once on one async runtime: each trial is a task, at most `jobs`
//! run at a time, started in the order given (foundations first, see [`super::plan`]), so a
//! case waiting for a foundation never holds the place the foundation needs.

use std::sync::Arc;

use futures_util::FutureExt;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::event::Event;
use super::plan::Planned;
use super::result::{CaseOutcome, CaseResult};
use super::Runner;

/// One runner and the trials of its plan to run (a selftest certifies several targets in
/// one run, sharing the `jobs`).
#[derive(Debug, Clone)]
pub struct Work {
    /// The connected runner.
    pub runner: Arc<Runner>,
    /// The trials to run, in the order to start them.
    pub trials: Vec<Planned>,
}

/// Runs every trial of `work`, at most `jobs` at a time, and sends each runner's events to
/// its listeners: its credentials (`Secret`) and `RunStarted` first, `CaseFinished` as each ends, `RunFinished` after the
/// runner's last cleanup. Returns when every trial has ended.
pub async fn run_all(work: &[Work], jobs: usize) {
    for w in work {
        w.runner.schedule(w.trials.iter().map(|p| p.trial.clone()));
        let credentials = w.runner.settings.credentials.iter();
        for secret in credentials.flat_map(|c| c.secrets()) {
            w.runner.listeners.report(|| Event::Secret(secret));
        }
        w.runner
            .listeners
            .report(|| Event::RunStarted(Box::new(w.runner.header(&w.trials))));
    }
    let places = Arc::new(Semaphore::new(jobs.max(1)));
    let mut running = JoinSet::new();
    for (w, planned) in interleaved(work) {
        // Taken here, in order, so trials start in the order given.
        let Ok(place) = places.clone().acquire_owned().await else {
            break;
        };
        // Ended tasks are reaped as they end, not all kept to the end.
        while running.try_join_next().is_some() {}
        let (runner, planned) = (w.runner.clone(), planned.clone());
        running.spawn(async move {
            // The place is let go as soon as the trial's steps end when it has something
            // to delete; otherwise once its end is reported, so trials end in order.
            let (result, place) =
                std::panic::AssertUnwindSafe(runner.run_case_in(&planned, Some(place)))
                    .catch_unwind()
                    .await
                    .unwrap_or_else(|panic| (panicked(&runner, &planned, &panic), None));
            runner.listeners.report(|| Event::CaseFinished {
                result: Box::new(result),
            });
            drop(place);
        });
    }
    while running.join_next().await.is_some() {}
    for w in work {
        let (removed, leftovers) = w.runner.finish().await;
        w.runner.listeners.report(|| Event::RunFinished {
            stopped: w.runner.stopped(),
            removed,
            leftovers,
            unchecked: w.runner.unchecked(),
        });
    }
}

/// Every trial of `work` in the order to start them: each runner's in its own order, the
/// runners taking turns, so that one target's long waits (scaling, idling) overlap
/// another's rather than following them.
fn interleaved(work: &[Work]) -> impl Iterator<Item = (&Work, &Planned)> {
    let lists: Vec<&[Planned]> = work.iter().map(|w| w.trials.as_slice()).collect();
    taking_turns(lists).map(move |(i, planned)| (&work[i], planned))
}

/// The items of `lists` with the index of their list: the first of each list, then the
/// second of each, and so on; a list that runs out drops out.
fn taking_turns<T>(lists: Vec<&[T]>) -> impl Iterator<Item = (usize, &T)> {
    let longest = lists.iter().map(|l| l.len()).max().unwrap_or(0);
    (0..longest).flat_map(move |n| {
        lists
            .iter()
            .enumerate()
            .filter_map(|(i, l)| Some((i, l.get(n)?)))
            .collect::<Vec<_>>()
    })
}

/// The result of a trial whose task panicked: errored, saying so (a defect of the
/// certifier, never of the provider).
fn panicked(
    runner: &Runner,
    planned: &Planned,
    panic: &Box<dyn std::any::Any + Send>,
) -> CaseResult {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into());
    runner
        .gate
        .finish(&planned.trial, super::gate::Ended::Broken("errored"));
    let mut result = runner.empty_result(planned);
    result.outcome = CaseOutcome::Errored(format!(
        "the certifier failed while running this case (a defect, please report it): {what}"
    ));
    result
}

#[cfg(test)]
mod tests {
    use super::taking_turns;

    #[test]
    fn runners_take_turns_and_a_short_list_drops_out() {
        let (a, b, c) = (["a1", "a2", "a3"], ["b1"], ["c1", "c2"]);
        let order: Vec<(usize, &&str)> = taking_turns(vec![&a[..], &b[..], &c[..]]).collect();
        let names: Vec<&str> = order.iter().map(|(_, n)| **n).collect();
        assert_eq!(names, ["a1", "b1", "c1", "a2", "c2", "a3"]);
        assert_eq!(order[4].0, 2, "c2 is the third list's");
        assert_eq!(taking_turns::<u8>(vec![]).count(), 0);
    }
}
