//! The runner's typed events, as a reporter receives them: in order for each trial, one
//! `RunStarted` first and one `RunFinished` last, and a failing step as a typed `Mismatch`
//! with what was wanted and what came.

use std::sync::{Arc, Mutex};

use faas_certifier::mock::{self, Fault, MockConfig};
use faas_certifier::outcome::{StepOutcome, WantGot};
use faas_certifier::runner::{run_all, CaseOutcome, Event, Runner, Work};
use faas_certifier::selftest::{mock_config, settings};
use faas_certifier::suite;

/// Runs the `health::` cases against a mock with `faults`, returning every event.
async fn events(faults: &[Fault]) -> Vec<Event> {
    let password = "events-pass";
    let mock = mock::spawn(MockConfig {
        faults: faults.iter().copied().collect(),
        ..mock_config(false, password)
    })
    .await
    .expect("the mock starts");
    let suites = suite::load_builtin().expect("the built-in suites load");
    let runner = Arc::new(
        Runner::connect(settings(&mock.url, password), suites)
            .await
            .expect("the runner connects"),
    );
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    runner.on_event(Arc::new(move |e| sink.lock().unwrap().push(e.clone())));
    // A second listener receives every event too.
    let counted = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = counted.clone();
    runner.on_event(Arc::new(move |_| {
        counter.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }));
    let trials = runner
        .run_order()
        .into_iter()
        .filter(|p| p.trial.starts_with("health::"))
        .collect();
    run_all(&[Work { runner, trials }], 4).await;
    mock.stop().await.expect("the mock stops");
    let events = seen.lock().unwrap().clone();
    assert_eq!(
        counted.load(std::sync::atomic::Ordering::SeqCst),
        events.len(),
        "every listener receives every event"
    );
    events
}

#[tokio::test]
async fn each_trial_starts_steps_and_finishes_in_order() {
    let events = events(&[]).await;
    // The credentials are announced first, for redaction, and never shown by `Debug`.
    let announced = events
        .iter()
        .take_while(|e| matches!(e, Event::Secret(_)))
        .count();
    assert!(
        announced >= 1,
        "the password is announced first: {events:?}"
    );
    assert!(!format!("{events:?}").contains("events-pass"));
    let Some(Event::RunStarted(header)) = events.get(announced) else {
        panic!("RunStarted follows the credentials: {events:?}");
    };
    let plan = &header.plan;
    assert!(
        header.target.starts_with("http://127.0.0.1:"),
        "{}",
        header.target
    );
    assert!(!plan.is_empty() && plan.iter().all(|t| t.starts_with("health::")));
    assert!(
        matches!(events.last(), Some(Event::RunFinished { stopped: None, leftovers, removed, .. }) if leftovers.is_empty() && *removed > 0),
        "the last event is RunFinished: {:?}",
        events.last()
    );
    for trial in plan {
        let of: Vec<&Event> = events
            .iter()
            .filter(|e| match e {
                Event::CaseStarted { trial: t } | Event::StepFinished { trial: t, .. } => {
                    t == trial
                }
                Event::CaseFinished { result } => &result.trial == trial,
                _ => false,
            })
            .collect();
        let kinds: Vec<&str> = of
            .iter()
            .map(|e| match e {
                Event::CaseStarted { .. } => "started",
                Event::StepFinished { .. } => "step",
                Event::CaseFinished { .. } => "finished",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds.first(), Some(&"started"), "{trial}: {kinds:?}");
        assert_eq!(kinds.last(), Some(&"finished"), "{trial}: {kinds:?}");
        assert!(kinds.contains(&"step"), "{trial}: {kinds:?}");
        assert!(
            kinds[1..kinds.len() - 1].iter().all(|k| *k == "step"),
            "{trial}: only steps between the start and the end: {kinds:?}"
        );
        for e in &of {
            if let Event::StepFinished { step, .. } = e {
                assert_eq!(step.outcome, StepOutcome::Passed, "{trial}");
            }
            if let Event::CaseFinished { result } = e {
                assert_eq!(result.outcome, CaseOutcome::Passed, "{trial}");
            }
        }
    }
}

#[tokio::test]
async fn a_failing_step_is_a_typed_mismatch() {
    let events = events(&[Fault::HealthzFails]).await;
    let mismatch = events.iter().find_map(|e| match e {
        Event::StepFinished { trial, step } => step
            .outcome
            .mismatch()
            .map(|WantGot { want, got }| (trial.clone(), want.clone(), got.clone())),
        _ => None,
    });
    let (trial, want, got) = mismatch.unwrap_or_else(|| panic!("no mismatch in {events:?}"));
    assert!(trial.starts_with("health::healthz"), "{trial}");
    assert!(want.contains("status"), "{want}");
    assert!(got.contains("500"), "{got}");
}
