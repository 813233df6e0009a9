//! Writers on one machine take turns through the store lock: none is lost.

use std::collections::HashSet;

use crate::common::TestEnv;

#[test]
fn four_processes_logging_fifty_times_each_lose_nothing() {
    let env = TestEnv::with_basics();
    let commits_before = env.commits().len();
    let ids: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                let env = &env;
                scope.spawn(move || {
                    (0..50)
                        .map(|n| {
                            let summary = format!("worker {worker} call {n}");
                            // Unseeded, as in real use: a shared seed repeats ids across processes.
                            let output = env
                                .command()
                                .env_remove("RELATE_SEED")
                                .args([
                                    "log",
                                    "acme-corp",
                                    "--channel",
                                    "phone",
                                    "--summary",
                                    &summary,
                                ])
                                .output()
                                .unwrap();
                            assert!(
                                output.status.success(),
                                "{summary}: {}",
                                String::from_utf8_lossy(&output.stderr)
                            );
                            String::from_utf8(output.stdout).unwrap().trim().to_string()
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });

    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), 200);
    let files: Vec<String> = env
        .files()
        .into_iter()
        .filter(|f| f.starts_with("interactions/") && f.ends_with(".yaml"))
        .collect();
    assert_eq!(files.len(), 200);
    for id in &ids {
        assert!(
            files.contains(&format!("interactions/2026/11/{id}.yaml")),
            "{id}"
        );
    }
    let commits = env.commits();
    assert_eq!(commits.len(), commits_before + 200);
    assert!(
        commits[..200]
            .iter()
            .all(|c| c == "log: phone call with acme-corp")
    );
    let summaries: HashSet<String> = files
        .iter()
        .map(|f| env.yaml(f)["summary"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(summaries.len(), 200, "every call kept its own text");
    assert!(!env.is_dirty());
    assert_eq!(env.run(&["check"]).ok(), "");
}

#[test]
fn a_writer_that_cannot_get_the_lock_gives_up_clearly_and_writes_nothing() {
    let env = TestEnv::with_basics();
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.store().join(".git/relate.lock"))
        .unwrap();
    lock.lock().unwrap();
    let files = env.files();
    let commits = env.commits().len();
    let started = std::time::Instant::now();
    let output = env
        .command()
        .env("RELATE_LOCK_TIMEOUT", "1")
        .args([
            "log",
            "acme-corp",
            "--channel",
            "phone",
            "--summary",
            "Blocked",
        ])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: another relate command kept the store locked for 1 s"),
        "{stderr}"
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    assert_eq!(env.files(), files);
    assert_eq!(env.commits().len(), commits);
    lock.unlock().unwrap();
    env.run(&[
        "log",
        "acme-corp",
        "--channel",
        "phone",
        "--summary",
        "Free",
    ])
    .ok();
}

/// Each command reads the record without the lock and writes under it: the
/// transaction merges in whatever another writer did in between.
#[test]
fn concurrent_changes_to_one_record_are_all_kept() {
    let env = TestEnv::with_basics();
    let commits_before = env.commits().len();
    std::thread::scope(|scope| {
        for worker in 0..4 {
            let env = &env;
            scope.spawn(move || {
                for n in 0..10 {
                    let tag = format!("tags+=w{worker}-{n}");
                    let output = env
                        .command()
                        .args(["customer", "set", "acme-corp", &tag])
                        .output()
                        .unwrap();
                    assert!(
                        output.status.success(),
                        "{}",
                        String::from_utf8_lossy(&output.stderr)
                    );
                }
            });
        }
    });
    let customer = env.yaml("customers/acme-corp.yaml");
    let tags: HashSet<&str> = customer["tags"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    assert_eq!(tags.len(), 40, "every process's tag is kept: {tags:?}");
    assert!(tags.contains("w0-0") && tags.contains("w3-9"));
    assert!(customer.get("conflicts").is_none());
    assert_eq!(env.commits().len(), commits_before + 40);
    assert!(!env.is_dirty());
}

#[test]
fn a_record_created_by_another_process_in_the_meantime_is_never_overwritten() {
    let env = TestEnv::with_basics();
    let outcomes: Vec<(bool, String)> = std::thread::scope(|scope| {
        let runs: Vec<_> = (0..4)
            .map(|worker| {
                let env = &env;
                scope.spawn(move || {
                    let email = format!("--email=w{worker}@same.example");
                    let output = env
                        .command()
                        .args(["customer", "add", "Same Name", &email])
                        .output()
                        .unwrap();
                    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
                    if !output.status.success() {
                        assert_eq!(output.status.code(), Some(1), "{stderr}");
                        assert!(
                            stderr.contains("was created by another command in the meantime"),
                            "{stderr}"
                        );
                    }
                    (
                        output.status.success(),
                        String::from_utf8(output.stdout).unwrap(),
                    )
                })
            })
            .collect();
        runs.into_iter().map(|r| r.join().unwrap()).collect()
    });
    let created: Vec<&str> = outcomes
        .iter()
        .filter(|(ok, _)| *ok)
        .map(|(_, id)| id.trim())
        .collect();
    assert!(!created.is_empty());
    assert_eq!(
        created.iter().collect::<HashSet<_>>().len(),
        created.len(),
        "{created:?}"
    );
    for id in &created {
        let emails = env.yaml(&format!("customers/{id}.yaml"))["emails"].clone();
        assert_eq!(
            emails.as_sequence().unwrap().len(),
            1,
            "{id} kept its own e-mail only"
        );
    }
    let files = env.files();
    let same: Vec<_> = files
        .iter()
        .filter(|f| f.starts_with("customers/same-name"))
        .collect();
    assert_eq!(same.len(), created.len(), "{same:?}");
}

/// Holds the store lock, runs `relate ARGS` (which reads, then waits for the
/// lock), lets `meanwhile` change the store by hand and commit, then releases
/// the lock: the command must merge that change, not write over it.
fn while_waiting_for_the_lock(env: &TestEnv, args: &[&str], meanwhile: impl FnOnce()) -> String {
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(env.store().join(".git/relate.lock"))
        .unwrap();
    lock.lock().unwrap();
    let child = env
        .process()
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Enough for the command to read the store and start waiting.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    meanwhile();
    lock.unlock().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn an_import_keeps_a_change_made_while_it_waited_for_the_lock() {
    let env = TestEnv::with_basics();
    std::fs::write(env.path().join("c.csv"), "id,region\nacme-corp,EU\n").unwrap();
    let path = "customers/acme-corp.yaml";
    while_waiting_for_the_lock(&env, &["import", "customers", "c.csv"], || {
        let text = env
            .read(path)
            .replace("name: Acme Corp", "name: Acme Corporation");
        env.write(path, &text);
        env.git(&["commit", "-q", "-am", "rename by hand"]);
    });
    let customer = env.yaml(path);
    assert_eq!(customer["name"], "Acme Corporation", "the rename is kept");
    assert_eq!(customer["region"], "EU", "and so is the import");
    assert!(customer.get("conflicts").is_none());
    let commits = env.commits();
    assert!(commits[0].starts_with("import"), "{commits:?}");
    assert_eq!(commits[1], "rename by hand");
    assert_eq!(env.git_status(), "");
}

#[test]
fn resolve_keeps_a_change_made_while_it_waited_for_the_lock() {
    let env = TestEnv::with_basics();
    let path = "customers/acme-corp.yaml";
    let text = env.read(path) + "conflicts:\n- field: owner\n  value: bob\n  by: Bo\n";
    env.write(path, &text);
    env.git(&["commit", "-q", "-am", "a merge left a conflict"]);
    while_waiting_for_the_lock(
        &env,
        &["resolve", "acme-corp", "owner", "--take", "theirs"],
        || {
            let text = env
                .read(path)
                .replace("name: Acme Corp", "name: Acme Corporation");
            env.write(path, &text);
            env.git(&["commit", "-q", "-am", "rename by hand"]);
        },
    );
    let customer = env.yaml(path);
    assert_eq!(customer["name"], "Acme Corporation");
    assert_eq!(customer["owner"], "bob");
    assert!(customer.get("conflicts").is_none());
    assert_eq!(env.commits()[0], "resolve: acme-corp owner");
}
