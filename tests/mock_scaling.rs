//! End-to-end tests of replicas and scaling: initial replicas, the ready delay, the scale
//! endpoint, scale from zero, and the built-in autoscaler going up, down and to zero.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{config, fast_autoscaler, poll, start, Mock, DEFAULT_NS, EXTRA_NS};
use faas_certifier::mock::MockConfig;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn initial_replicas_are_scale_min_defaulting_to_one() {
    let mock = start(config()).await;
    mock.deploy_fn("plain", "cat").await;
    mock.deploy_labelled("min-two", json!({"com.openfaas.scale.min": "2"}))
        .await;

    let plain = mock.status("plain", DEFAULT_NS).await;
    assert_eq!(plain.replicas, 1, "default replicas");
    let two = mock.status("min-two", DEFAULT_NS).await;
    assert_eq!(
        two.replicas, 2,
        "replicas right after deploy with scale.min=2"
    );
    mock.wait_status("min-two", DEFAULT_NS, "availableReplicas == 2", |s| {
        s.available_replicas == 2
    })
    .await;
    mock.wait_status("plain", DEFAULT_NS, "availableReplicas == 1", |s| {
        s.available_replicas == 1
    })
    .await;
    mock.stop().await;
}

#[tokio::test]
async fn available_replicas_catch_up_after_the_ready_delay() {
    let delay = Duration::from_millis(400);
    let mock = start(MockConfig {
        ready_delay: delay,
        ..config()
    })
    .await;
    let deployed = Instant::now();
    mock.deploy_fn("slow", "cat").await;
    let first = mock.status("slow", DEFAULT_NS).await;
    if deployed.elapsed() < delay / 2 {
        assert_eq!(first.replicas, 1, "desired replicas are set at once");
        assert_eq!(
            first.available_replicas, 0,
            "no replica is ready before the ready delay"
        );
    }
    mock.wait_status("slow", DEFAULT_NS, "availableReplicas == 1", |s| {
        s.available_replicas == 1
    })
    .await;
    assert!(
        deployed.elapsed() >= delay - Duration::from_millis(50),
        "available after {:?}, before the ready delay of {delay:?}",
        deployed.elapsed()
    );

    // Scaling up: the new replicas also take the ready delay.
    let scaled = Instant::now();
    mock.scale("slow", DEFAULT_NS, 3).await;
    let now = mock.status("slow", DEFAULT_NS).await;
    assert_eq!(now.replicas, 3);
    if scaled.elapsed() < delay / 2 {
        assert!(
            now.available_replicas < 3,
            "3 available at once despite the ready delay: {now:?}"
        );
    }
    mock.wait_status("slow", DEFAULT_NS, "availableReplicas == 3", |s| {
        s.available_replicas == 3
    })
    .await;
    mock.stop().await;
}

#[tokio::test]
async fn the_scale_endpoint_sets_replicas_including_zero() {
    let mock = start(config()).await;
    mock.deploy_fn("scaled", "cat").await;
    mock.scale("scaled", DEFAULT_NS, 4).await;
    assert_eq!(mock.status("scaled", DEFAULT_NS).await.replicas, 4);
    mock.wait_status("scaled", DEFAULT_NS, "availableReplicas == 4", |s| {
        s.available_replicas == 4
    })
    .await;

    mock.scale("scaled", DEFAULT_NS, 0).await;
    let zero = mock.status("scaled", DEFAULT_NS).await;
    assert_eq!(zero.replicas, 0, "replicas after scaling to 0");
    mock.wait_status("scaled", DEFAULT_NS, "availableReplicas == 0", |s| {
        s.available_replicas == 0
    })
    .await;

    // In the extra namespace, named in the body and query.
    mock.deploy(
        json!({"service": "scaled", "image": "i", "envProcess": "cat", "namespace": EXTRA_NS}),
    )
    .await;
    mock.scale("scaled", EXTRA_NS, 2).await;
    assert_eq!(mock.status("scaled", EXTRA_NS).await.replicas, 2);
    assert_eq!(
        mock.status("scaled", DEFAULT_NS).await.replicas,
        0,
        "the other namespace is untouched"
    );
    mock.stop().await;
}

#[tokio::test]
async fn scale_errors_are_refused() {
    let mock = start(config()).await;
    mock.deploy_fn("f", "cat").await;
    mock.raw(Method::POST, "/system/scale-function/f", "{oops")
        .await
        .expect_error(400);
    let unknown = mock
        .json(
            Method::POST,
            "/system/scale-function/ghost",
            &json!({"serviceName": "ghost", "replicas": 2, "namespace": DEFAULT_NS}),
        )
        .await;
    assert!(
        unknown.status.is_client_error() || unknown.status.is_server_error(),
        "{}: scaling an unknown function must fail, got {}",
        unknown.what,
        unknown.status
    );
    mock.get("/system/function/ghost").await.expect_error(404);
    assert_eq!(
        mock.status("f", DEFAULT_NS).await.replicas,
        1,
        "a failed scale changes nothing"
    );
    mock.stop().await;
}

#[tokio::test]
async fn invoking_at_zero_replicas_scales_from_zero_and_answers_200() {
    let delay = Duration::from_millis(800);
    let mock = start(MockConfig {
        ready_delay: delay,
        ..config()
    })
    .await;
    mock.deploy_fn("sleepy", "cat").await;
    mock.deploy_labelled("sleepy-two", json!({"com.openfaas.scale.min": "2"}))
        .await;
    for name in ["sleepy", "sleepy-two"] {
        mock.scale(name, DEFAULT_NS, 0).await;
        mock.wait_status(name, DEFAULT_NS, "availableReplicas == 0", |s| {
            s.available_replicas == 0
        })
        .await;
        assert_eq!(
            mock.status(name, DEFAULT_NS).await.replicas,
            0,
            "{name} at zero"
        );
    }

    let started = Instant::now();
    let reply = mock.invoke("sleepy", "wake up").await.expect(200);
    assert_eq!(reply.text(), "wake up");
    assert!(
        started.elapsed() >= delay - Duration::from_millis(50),
        "a cold start waits for a ready replica ({delay:?}), answered after {:?}",
        started.elapsed()
    );
    let after = mock.status("sleepy", DEFAULT_NS).await;
    assert_eq!(after.replicas, 1, "scaled from zero to min (1)");
    assert!(
        after.available_replicas >= 1,
        "available after the cold start: {after:?}"
    );
    assert_eq!(after.invocation_count, 1);

    mock.invoke("sleepy-two", "x").await.expect(200);
    assert_eq!(
        mock.status("sleepy-two", DEFAULT_NS).await.replicas,
        2,
        "scaled from zero to scale.min=2"
    );

    // A warm function answers without the delay.
    let warm = Instant::now();
    mock.invoke("sleepy", "again").await.expect(200);
    assert!(
        warm.elapsed() < delay,
        "a warm invocation took {:?}",
        warm.elapsed()
    );
    mock.stop().await;
}

#[tokio::test]
async fn scale_from_zero_without_ready_delay_and_in_a_namespace() {
    let mock = start(config()).await;
    mock.deploy(json!({"service": "z", "image": "i", "envProcess": "cat", "namespace": EXTRA_NS}))
        .await;
    mock.scale("z", EXTRA_NS, 0).await;
    assert_eq!(mock.status("z", EXTRA_NS).await.replicas, 0);
    let reply = mock.invoke("z.extra", "hi").await.expect(200);
    assert_eq!(reply.text(), "hi");
    assert_eq!(mock.status("z", EXTRA_NS).await.replicas, 1);
    mock.stop().await;
}

/// Invokes `target` every `every` until the returned flag is set.
fn load(
    mock: &Mock,
    target: &str,
    every: Duration,
) -> (Arc<AtomicBool>, tokio::task::JoinHandle<u64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    let client = mock.client.clone();
    let url = format!("{}/function/{target}", mock.url);
    let task = tokio::spawn(async move {
        let mut sent = 0u64;
        let mut ticker = tokio::time::interval(every);
        while !flag.load(Ordering::Relaxed) {
            ticker.tick().await;
            let resp = client
                .post(&url)
                .body("load")
                .send()
                .await
                .expect("load request");
            assert_eq!(resp.status().as_u16(), 200, "load invocation of {url}");
            sent += 1;
        }
        sent
    });
    (stop, task)
}

async fn stop_load((stop, task): (Arc<AtomicBool>, tokio::task::JoinHandle<u64>)) -> u64 {
    stop.store(true, Ordering::Relaxed);
    task.await.expect("load task")
}

fn fast() -> MockConfig {
    MockConfig {
        autoscaler: fast_autoscaler(),
        ..config()
    }
}

/// Like [`fast`], but with evaluations far enough apart (250 ms) that polling sees every
/// step even on a busy machine.
fn stepwise() -> MockConfig {
    MockConfig {
        autoscaler: faas_certifier::mock::AutoscalerConfig {
            interval: Duration::from_millis(250),
            ..fast_autoscaler()
        },
        ..config()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_autoscaler_steps_up_to_max_under_load_and_back_to_min() {
    let mock = start(stepwise()).await;
    // max 10, factor 50: each step adds ceil(10 * 50 / 100) = 5 replicas.
    mock.deploy_labelled(
        "busy",
        json!({"com.openfaas.scale.min": "1", "com.openfaas.scale.max": "10", "com.openfaas.scale.factor": "50"}),
    )
    .await;
    let load = load(&mock, "busy", Duration::from_millis(20));

    let mut seen = vec![1u64];
    let deadline = Instant::now() + Duration::from_secs(15);
    while seen.last() != Some(&10) {
        assert!(
            Instant::now() < deadline,
            "never reached 10 replicas under load; saw {seen:?}"
        );
        let r = mock.status("busy", DEFAULT_NS).await.replicas;
        assert!(r <= 10, "replicas {r} above scale.max 10");
        if seen.last() != Some(&r) {
            seen.push(r);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        seen,
        [1, 6, 10],
        "steps of ceil(max * factor / 100) = 5, capped at max"
    );
    let sent = stop_load(load).await;
    assert!(sent > 0);

    mock.wait_status(
        "busy",
        DEFAULT_NS,
        "replicas back to min 1 after load stops",
        |s| s.replicas == 1,
    )
    .await;
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_autoscaler_uses_default_max_five_and_factor_ten() {
    let mock = start(stepwise()).await;
    mock.deploy_fn("defaults", "cat").await;
    let load = load(&mock, "defaults", Duration::from_millis(20));
    let mut seen = vec![1u64];
    let deadline = Instant::now() + Duration::from_secs(15);
    while seen.last() != Some(&5) {
        assert!(
            Instant::now() < deadline,
            "never reached the default max 5; saw {seen:?}"
        );
        let r = mock.status("defaults", DEFAULT_NS).await.replicas;
        assert!(r <= 5, "replicas {r} above the default max 5");
        if seen.last() != Some(&r) {
            seen.push(r);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    // ceil(5 * 10 / 100) = 1 per step; polling may miss a step but never sees a jump of 3.
    for pair in seen.windows(2) {
        assert!(
            pair[1] > pair[0] && pair[1] - pair[0] <= 2,
            "steps of 1 expected, saw {seen:?}"
        );
    }
    stop_load(load).await;
    mock.wait_status("defaults", DEFAULT_NS, "replicas back to 1", |s| {
        s.replicas == 1
    })
    .await;
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn min_equal_to_max_never_moves_under_load() {
    let mock = start(fast()).await;
    mock.deploy_labelled(
        "pinned",
        json!({"com.openfaas.scale.min": "2", "com.openfaas.scale.max": "2"}),
    )
    .await;
    // A control function under the same load shows the autoscaler is running.
    mock.deploy_labelled(
        "control",
        json!({"com.openfaas.scale.min": "1", "com.openfaas.scale.max": "3", "com.openfaas.scale.factor": "100"}),
    )
    .await;
    let pinned_load = load(&mock, "pinned", Duration::from_millis(15));
    let control_load = load(&mock, "control", Duration::from_millis(15));
    let control_at = mock
        .wait_status(
            "control",
            DEFAULT_NS,
            "control reaches max 3 under load",
            |s| s.replicas == 3,
        )
        .await;
    assert_eq!(control_at.replicas, 3);
    // Let a few more evaluation intervals pass while both are loaded.
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(60)).await;
        let pinned = mock.status("pinned", DEFAULT_NS).await;
        assert_eq!(pinned.replicas, 2, "min == max must never move: {pinned:?}");
    }
    stop_load(pinned_load).await;
    stop_load(control_load).await;
    mock.wait_status("control", DEFAULT_NS, "control back to 1", |s| {
        s.replicas == 1
    })
    .await;
    assert_eq!(
        mock.status("pinned", DEFAULT_NS).await.replicas,
        2,
        "pinned after load"
    );
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_functions_labelled_scale_zero_go_to_zero() {
    let mock = start(fast()).await;
    mock.deploy_labelled(
        "idler",
        json!({"com.openfaas.scale.max": "2", "com.openfaas.scale.zero": "true", "com.openfaas.scale.factor": "50"}),
    )
    .await;
    mock.deploy_fn("stays", "cat").await;
    mock.deploy_fn("manual", "cat").await;
    mock.scale("manual", DEFAULT_NS, 3).await;
    mock.invoke("stays", "once").await.expect(200);

    let idler_load = load(&mock, "idler", Duration::from_millis(15));
    mock.wait_status("idler", DEFAULT_NS, "idler reaches 2 under load", |s| {
        s.replicas == 2
    })
    .await;
    stop_load(idler_load).await;
    mock.wait_status("idler", DEFAULT_NS, "idler goes to 0 when idle", |s| {
        s.replicas == 0
    })
    .await;

    // Both others have been idle at least as long, yet lack the label.
    let stays = mock.status("stays", DEFAULT_NS).await;
    assert_eq!(
        stays.replicas, 1,
        "without scale.zero=true a function stays at min: {stays:?}"
    );
    let manual = mock.status("manual", DEFAULT_NS).await;
    assert_eq!(
        manual.replicas, 3,
        "a manual scale stays as set without load: {manual:?}"
    );

    // And it comes back on the next call.
    mock.invoke("idler", "back").await.expect(200);
    assert!(mock.status("idler", DEFAULT_NS).await.replicas >= 1);
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_autoscaler_takes_min_one_max_two_to_two_at_ten_rps() {
    // The Go certifier's throughput case, with the mock's default autoscaler settings.
    let mock = start(MockConfig {
        as_gateway: true,
        ..config()
    })
    .await;
    mock.deploy_labelled(
        "throughput",
        json!({"com.openfaas.scale.min": "1", "com.openfaas.scale.max": "2"}),
    )
    .await;
    let started = Instant::now();
    let load = load(&mock, "throughput", Duration::from_millis(100));
    let reached = poll(
        "2 replicas at ~10 rps with default settings",
        Duration::from_secs(60),
        || async {
            let s = mock.status("throughput", DEFAULT_NS).await;
            if s.replicas == 2 {
                Ok(s)
            } else {
                Err(format!(
                    "replicas={} after {:?}",
                    s.replicas,
                    started.elapsed()
                ))
            }
        },
    )
    .await;
    assert_eq!(reached.replicas, 2);
    stop_load(load).await;
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_at_zero_all_answer_and_scale_to_min_once() {
    let mock = std::sync::Arc::new(
        start(MockConfig {
            ready_delay: Duration::from_millis(200),
            ..config()
        })
        .await,
    );
    mock.deploy_fn("cold", "cat").await;
    mock.scale("cold", DEFAULT_NS, 0).await;
    let mut calls = Vec::new();
    for i in 0..20 {
        let mock = mock.clone();
        calls.push(tokio::spawn(async move {
            let body = format!("call {i}");
            let reply = mock.invoke("cold", body.clone()).await.expect(200);
            assert_eq!(reply.text(), body);
        }));
    }
    for call in calls {
        call.await.expect("cold call");
    }
    let s = mock.status("cold", DEFAULT_NS).await;
    assert_eq!(s.replicas, 1, "twenty cold calls scale to min once: {s:?}");
    assert_eq!(s.invocation_count, 20);
}

#[tokio::test]
async fn a_gateway_waits_for_a_new_function_to_become_ready() {
    let delay = Duration::from_millis(300);
    let mock = start(MockConfig {
        as_gateway: true,
        ready_delay: delay,
        ..config()
    })
    .await;
    let deployed = Instant::now();
    mock.deploy_fn("fresh", "cat").await;
    let reply = mock.invoke("fresh", "first call").await.expect(200);
    assert_eq!(reply.text(), "first call");
    assert!(
        deployed.elapsed() >= delay - Duration::from_millis(50),
        "answered after {:?}, before any replica was ready ({delay:?})",
        deployed.elapsed()
    );
    mock.stop().await;
}

#[tokio::test]
async fn bad_scale_bodies_are_400() {
    let mock = start(config()).await;
    mock.deploy_fn("f", "cat").await;
    for body in [
        json!({"serviceName": "f", "replicas": -1}),
        json!({"serviceName": "f", "replicas": "two"}),
        json!({"serviceName": "f", "replicas": 1.5}),
        json!([1]),
    ] {
        mock.json(Method::POST, "/system/scale-function/f", &body)
            .await
            .expect_error(400);
    }
    assert_eq!(mock.status("f", DEFAULT_NS).await.replicas, 1);
    // A huge count must not take the server down, whatever it answers.
    let huge = mock
        .json(
            Method::POST,
            "/system/scale-function/f",
            &json!({"serviceName": "f", "replicas": u64::MAX}),
        )
        .await;
    assert!(
        !huge.status.is_server_error(),
        "{}: got {}",
        huge.what,
        huge.status
    );
    mock.get("/healthz").await.expect(200);
    mock.status("f", DEFAULT_NS).await;
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn load_steps_up_from_a_manual_scale_and_returns_to_min() {
    let mock = start(stepwise()).await;
    mock.deploy_labelled(
        "manual",
        json!({"com.openfaas.scale.min": "1", "com.openfaas.scale.max": "10", "com.openfaas.scale.factor": "10"}),
    )
    .await;
    mock.scale("manual", DEFAULT_NS, 4).await;
    let load = load(&mock, "manual", Duration::from_millis(15));
    let mut seen = vec![4u64];
    let deadline = Instant::now() + Duration::from_secs(15);
    while seen.len() < 2 {
        assert!(
            Instant::now() < deadline,
            "load never moved the manual scale; saw {seen:?}"
        );
        let r = mock.status("manual", DEFAULT_NS).await.replicas;
        if seen.last() != Some(&r) {
            seen.push(r);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    assert_eq!(
        seen,
        [4, 5],
        "the first step adds ceil(10 * 10 / 100) = 1 to the current 4"
    );
    stop_load(load).await;
    mock.wait_status("manual", DEFAULT_NS, "back to min 1 after load", |s| {
        s.replicas == 1
    })
    .await;
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_zero_duration_label_overrides_the_idle_time() {
    let autoscaler = faas_certifier::mock::AutoscalerConfig {
        idle_to_zero: Duration::from_secs(3600),
        ..fast_autoscaler()
    };
    let mock = start(MockConfig {
        autoscaler,
        ..config()
    })
    .await;
    mock.deploy_labelled(
        "quick",
        json!({"com.openfaas.scale.zero": "true", "com.openfaas.scale.zero-duration": "300ms"}),
    )
    .await;
    mock.deploy_labelled("slow", json!({"com.openfaas.scale.zero": "true"}))
        .await;
    mock.invoke("quick", "x").await.expect(200);
    mock.wait_status(
        "quick",
        DEFAULT_NS,
        "quick to 0 after its 300ms zero-duration",
        |s| s.replicas == 0,
    )
    .await;
    assert_eq!(
        mock.status("slow", DEFAULT_NS).await.replicas,
        1,
        "without the label the configured hour applies"
    );
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cold_start_slower_than_the_idle_time_still_answers() {
    // The idler must not take a function back to zero while a call waits for it to start.
    let mock = start(MockConfig {
        ready_delay: Duration::from_millis(700),
        ..fast()
    })
    .await;
    mock.deploy_labelled("drowsy", json!({"com.openfaas.scale.zero": "true"}))
        .await;
    mock.scale("drowsy", DEFAULT_NS, 0).await;
    let started = Instant::now();
    let call =
        tokio::time::timeout(Duration::from_secs(8), mock.invoke("drowsy", "are you up?")).await;
    let reply = call.unwrap_or_else(|_| {
        panic!("a call at zero replicas (ready delay 700ms, idle_to_zero 300ms) got no answer within 8s")
    });
    let reply = reply.expect(200);
    assert_eq!(reply.text(), "are you up?");
    assert!(
        started.elapsed() >= Duration::from_millis(650),
        "answered after {:?}",
        started.elapsed()
    );
    mock.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn absurd_scaling_labels_do_not_stop_the_autoscaler() {
    // Issue 2: nothing a client sends can panic the server - labels included.
    let mock = start(fast()).await;
    mock.deploy_labelled(
        "a-absurd",
        json!({
            "com.openfaas.scale.min": "1",
            "com.openfaas.scale.max": "18446744073709551615",
            "com.openfaas.scale.factor": "100"
        }),
    )
    .await;
    mock.deploy_labelled(
        "b-control",
        json!({"com.openfaas.scale.min": "1", "com.openfaas.scale.max": "4", "com.openfaas.scale.factor": "25"}),
    )
    .await;
    let absurd_load = load(&mock, "a-absurd", Duration::from_millis(15));
    let control_load = load(&mock, "b-control", Duration::from_millis(15));
    mock.wait_status(
        "b-control",
        DEFAULT_NS,
        "b-control reaches max 4 in steps of 1 beside a function with max = u64::MAX",
        |s| s.replicas == 4,
    )
    .await;
    stop_load(absurd_load).await;
    stop_load(control_load).await;
    let absurd = mock.status("a-absurd", DEFAULT_NS).await;
    assert!(absurd.replicas >= 1, "{absurd:?}");
    mock.get("/healthz").await.expect(200);
    mock.stop().await;
}
