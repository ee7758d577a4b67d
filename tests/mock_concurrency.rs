//! Concurrency: many parallel invocations, deploys, status reads and secret writes against
//! one mock; nothing fails and every count adds up.

mod common;

use common::{config, start, DEFAULT_NS};
use faas_certifier::model::FunctionStatus;
use reqwest::Method;
use serde_json::{json, Value};

const TASKS: usize = 8;
const ROUNDS: usize = 100;
/// Every `DEPLOY_EVERY`th round of a task also deploys (and invokes) a function of its own.
const DEPLOY_EVERY: usize = 4;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_invocations_and_deploys_keep_consistent_counts() {
    let mock = std::sync::Arc::new(start(config()).await);
    mock.deploy_fn("shared", "cat").await;
    mock.deploy_fn("shared-env", "env").await;

    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let mock = mock.clone();
        tasks.push(tokio::spawn(async move {
            for r in 0..ROUNDS {
                let body = format!("task {t} round {r}");
                let reply = mock.invoke("shared", body.clone()).await.expect(200);
                assert_eq!(
                    reply.text(),
                    body,
                    "shared cat echoed another request's body"
                );

                if r % DEPLOY_EVERY == 0 {
                    let name = format!("f-{t}-{r}");
                    mock.deploy(json!({
                        "service": name,
                        "image": "i",
                        "envProcess": "env",
                        "envVars": {"owner": format!("{t}-{r}")},
                        "labels": {"task": t.to_string()}
                    }))
                    .await;
                    let text = mock.invoke(&name, "").await.expect(200).text();
                    assert!(
                        text.lines().any(|l| l == format!("owner={t}-{r}")),
                        "{name} ran someone else's environment:\n{text}"
                    );
                    let status = mock.status(&name, DEFAULT_NS).await;
                    assert_eq!(status.invocation_count, 1, "{name}: {status:?}");
                    mock.json(
                        Method::POST,
                        "/system/secrets",
                        &json!({"name": name, "value": name}),
                    )
                    .await
                    .expect(202);
                }
                if r % 10 == 5 {
                    let env = mock.invoke("shared-env", "").await.expect(200).text();
                    assert!(env.contains("fprocess=env"), "shared-env output:\n{env}");
                    mock.get("/system/functions").await.expect(200);
                }
            }
        }));
    }
    for task in tasks {
        task.await.expect("a worker task panicked");
    }

    let per_task_deploys = ROUNDS.div_ceil(DEPLOY_EVERY);
    let shared = mock.status("shared", DEFAULT_NS).await;
    assert_eq!(
        shared.invocation_count,
        (TASKS * ROUNDS) as u64,
        "shared invocationCount"
    );
    let env = mock.status("shared-env", DEFAULT_NS).await;
    assert_eq!(
        env.invocation_count,
        (TASKS * ROUNDS / 10) as u64,
        "shared-env invocationCount"
    );

    let list: Vec<FunctionStatus> = mock.get("/system/functions").await.expect(200).json();
    assert_eq!(list.len(), 2 + TASKS * per_task_deploys, "functions listed");
    for f in list.iter().filter(|f| f.name.starts_with("f-")) {
        assert_eq!(f.invocation_count, 1, "{}: {f:?}", f.name);
        assert_eq!(f.replicas, 1, "{}: {f:?}", f.name);
    }
    let secrets: Value = mock.get("/system/secrets").await.expect(200).json();
    assert_eq!(
        secrets.as_array().map(Vec::len),
        Some(TASKS * per_task_deploys),
        "secrets listed"
    );

    // Parallel deletes of everything that was deployed.
    let mut deletes = Vec::new();
    for f in list.into_iter().filter(|f| f.name.starts_with("f-")) {
        let mock = mock.clone();
        deletes.push(tokio::spawn(async move {
            mock.json(
                Method::DELETE,
                "/system/functions",
                &json!({"functionName": f.name}),
            )
            .await
            .expect(202);
        }));
    }
    for d in deletes {
        d.await.expect("a delete task panicked");
    }
    let left: Vec<FunctionStatus> = mock.get("/system/functions").await.expect(200).json();
    let mut left: Vec<String> = left.into_iter().map(|f| f.name).collect();
    left.sort();
    assert_eq!(left, ["shared", "shared-env"]);

    match std::sync::Arc::try_unwrap(mock) {
        Ok(mock) => mock.stop().await,
        Err(_) => panic!("a task still holds the mock"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn racing_deploys_of_one_name_leave_one_function() {
    let mock = std::sync::Arc::new(start(config()).await);
    let mut tasks = Vec::new();
    for t in 0..16 {
        let mock = mock.clone();
        tasks.push(tokio::spawn(async move {
            mock.json(
                Method::POST,
                "/system/functions",
                &json!({"service": "contested", "image": format!("img:{t}"), "envProcess": "cat"}),
            )
            .await
            .status
        }));
    }
    let mut ok = 0;
    for task in tasks {
        let status = task.await.expect("deploy task");
        if status.is_success() {
            ok += 1;
        }
    }
    assert!(ok >= 1, "at least one racing deploy succeeds");
    let list: Vec<FunctionStatus> = mock.get("/system/functions").await.expect(200).json();
    assert_eq!(list.len(), 1, "one function named contested: {list:?}");
    assert_eq!(
        mock.invoke("contested", "still works")
            .await
            .expect(200)
            .text(),
        "still works"
    );
    match std::sync::Arc::try_unwrap(mock) {
        Ok(mock) => mock.stop().await,
        Err(_) => panic!("a task still holds the mock"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_load_while_the_autoscaler_and_ready_delay_move_replicas() {
    let config = faas_certifier::mock::MockConfig {
        ready_delay: std::time::Duration::from_millis(30),
        autoscaler: common::fast_autoscaler(),
        ..config()
    };
    let mock = std::sync::Arc::new(start(config).await);
    mock.deploy_labelled(
        "elastic",
        json!({"com.openfaas.scale.max": "6", "com.openfaas.scale.factor": "50"}),
    )
    .await;
    mock.deploy_labelled(
        "napper",
        json!({"com.openfaas.scale.zero": "true", "com.openfaas.scale.max": "3"}),
    )
    .await;
    let mut tasks = Vec::new();
    for t in 0..TASKS {
        let mock = mock.clone();
        tasks.push(tokio::spawn(async move {
            for r in 0..ROUNDS {
                let target = if r % 2 == 0 { "elastic" } else { "napper" };
                let body = format!("{target} {t} {r}");
                let reply = mock.invoke(target, body.clone()).await.expect(200);
                assert_eq!(reply.text(), body);
                if r % 25 == 24 {
                    // Pause past the idle time now and then, so the idler has work.
                    tokio::time::sleep(std::time::Duration::from_millis(350)).await;
                }
            }
        }));
    }
    let all = async {
        for task in tasks {
            task.await.expect("a worker task panicked");
        }
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), all)
        .await
        .expect("800 invocations under autoscaling finish within 60s");
    let elastic = mock.status("elastic", DEFAULT_NS).await;
    let napper = mock.status("napper", DEFAULT_NS).await;
    assert_eq!(
        elastic.invocation_count,
        (TASKS * ROUNDS / 2) as u64,
        "{elastic:?}"
    );
    assert_eq!(
        napper.invocation_count,
        (TASKS * ROUNDS / 2) as u64,
        "{napper:?}"
    );
    assert!(elastic.replicas <= 6, "{elastic:?}");
    assert!(napper.replicas <= 3, "{napper:?}");
    match std::sync::Arc::try_unwrap(mock) {
        Ok(mock) => mock.stop().await,
        Err(_) => panic!("a task still holds the mock"),
    }
}
