//! A command either succeeds completely or changes nothing: files, index and
//! HEAD. Busy git locks are waited for, failures leave nothing behind, and a
//! write killed at any moment is finished or rolled back by the next command.

use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::common::TestEnv;

/// What a store looks like from outside: HEAD, and every file with its content.
fn snapshot(env: &TestEnv) -> (String, Vec<(String, String)>) {
    let files = env
        .files()
        .into_iter()
        .map(|f| {
            let text = env.read(&f);
            (f, text)
        })
        .collect();
    (env.head(), files)
}

#[test]
fn a_write_waits_for_a_held_index_lock_then_fails_cleanly() {
    let env = TestEnv::with_basics();
    let before = snapshot(&env);
    let lock = env.store().join(".git/index.lock");
    std::fs::write(&lock, "").unwrap();
    let started = Instant::now();
    let run = env
        .command()
        .env("RELATE_LOCK_TIMEOUT", "1")
        .args(["log", "acme-corp", "--channel", "phone", "--summary", "x"])
        .output()
        .unwrap();
    assert!(started.elapsed() >= Duration::from_secs(1), "it waited");
    assert_eq!(run.status.code(), Some(1));
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(
        stderr.starts_with("error: git's index stayed locked by another git command for 1 s"),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "hint: try again; if no git command is running, a crashed one left the lock: remove"
        ),
        "{stderr}"
    );
    assert_eq!(snapshot(&env), before, "nothing committed or written");
    assert!(lock.exists(), "another program's lock is left alone");
    std::fs::remove_file(&lock).unwrap();
    assert_eq!(env.git_status(), "");
}

#[test]
fn a_write_goes_through_once_git_releases_the_index_lock() {
    let env = TestEnv::with_basics();
    let lock = env.store().join(".git/index.lock");
    std::fs::write(&lock, "").unwrap();
    let releaser = {
        let lock = lock.clone();
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(400));
            std::fs::remove_file(lock).unwrap();
        })
    };
    let id = env.created(&["log", "acme-corp", "--channel", "phone", "--summary", "x"]);
    releaser.join().unwrap();
    assert_eq!(env.commits()[0], "log: phone call with acme-corp");
    assert!(
        env.read(&format!("interactions/2026/11/{id}.yaml"))
            .contains("summary: x")
    );
    assert_eq!(env.git_status(), "");
}

#[test]
fn after_every_write_git_status_and_the_index_are_clean() {
    let env = TestEnv::with_basics();
    let deal = env.created(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Printers",
        "--line",
        "printer:2",
    ]);
    env.run(&["deal", "advance", &deal]).ok();
    env.run(&["customer", "set", "acme-corp", "region=EU"]).ok();
    env.run(&[
        "log",
        "ana-lima",
        "--channel",
        "email",
        "--summary",
        "Hello",
    ])
    .ok();
    assert_eq!(env.git_status(), "");
    assert_eq!(env.git(&["diff", "--cached", "--stat"]), "");
    // The index has the files' stat data, so plumbing that does not refresh agrees too.
    assert_eq!(env.git(&["diff-files", "--stat"]), "");
}

#[test]
fn a_split_index_is_refused_and_left_as_it_is() {
    let env = TestEnv::with_basics();
    env.git(&["config", "core.splitIndex", "true"]);
    env.git(&["update-index", "--split-index"]);
    let before = snapshot(&env);
    let stderr = env
        .run(&["log", "acme-corp", "--channel", "phone", "--summary", "x"])
        .fails(1);
    assert_eq!(
        stderr,
        "error: the repository uses a split index (core.splitIndex), which relate cannot read; nothing was changed\n\
         hint: turn it off with `git config core.splitIndex false && git update-index --no-split-index`\n"
    );
    assert_eq!(snapshot(&env), before);
    assert_eq!(env.git_status(), "");
}

#[test]
fn writes_are_refused_while_a_git_merge_is_unfinished() {
    let env = TestEnv::with_basics();
    let head = env.head();
    std::fs::write(env.store().join(".git/MERGE_HEAD"), format!("{head}\n")).unwrap();
    let before = snapshot(&env);
    let stderr = env
        .run(&["customer", "set", "acme-corp", "region=EU"])
        .fails(1);
    assert!(
        stderr.starts_with("error: a git merge is under way in the store; nothing was written\nhint: finish it first"),
        "{stderr}"
    );
    assert_eq!(snapshot(&env), before);
}

#[test]
fn writers_beside_a_git_status_loop_all_commit_or_change_nothing() {
    let env = TestEnv::with_basics();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        scope.spawn(|| {
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = env.git_command().args(["status", "--porcelain"]).output();
            }
        });
        let workers: Vec<_> = (0..2)
            .map(|worker| {
                let env = &env;
                scope.spawn(move || {
                    (0..15)
                        .map(|n| {
                            let summary = format!("worker {worker} call {n}");
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
                            (
                                summary,
                                output.status.success(),
                                String::from_utf8_lossy(&output.stderr).into_owned(),
                            )
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        let results: Vec<_> = workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        for (summary, success, stderr) in &results {
            assert!(success, "{summary}: {stderr}");
        }
    });
    let logged = env
        .commits()
        .iter()
        .filter(|c| c.starts_with("log:"))
        .count();
    assert_eq!(logged, 30);
    let files = env
        .files()
        .into_iter()
        .filter(|f| f.starts_with("interactions/") && f.ends_with(".yaml"))
        .count();
    assert_eq!(files, 30);
    assert_eq!(env.git_status(), "");
}

/// An orders file of `orders` orders of two lines, for customers and products
/// the import creates.
fn orders_csv(orders: usize) -> String {
    let mut csv = String::from("external_id,customer,at,product,quantity,price\n");
    for n in 0..orders {
        for line in 0..2 {
            csv.push_str(&format!(
                "INV{n:05},C{:03},2026-10-{:02}T10:00:00Z,SKU-{line}{},{},{}.50\n",
                n % 150,
                1 + n % 28,
                n % 7,
                1 + line,
                10 + n % 40
            ));
        }
    }
    csv
}

/// Kills `relate ARGS` after `delay`, then lets the next command recover.
fn kill_after(env: &TestEnv, args: &[&str], delay: Duration) {
    let mut child = env.process();
    child.args(args).stdout(Stdio::null()).stderr(Stdio::null());
    let mut running = child.spawn().unwrap();
    std::thread::sleep(delay);
    let _ = running.kill();
    running.wait().unwrap();
}

/// How many random moments each crash test tries: a few here, dozens in a
/// longer run (`RELATE_CRASH_TRIALS=50 cargo test --release crash`).
fn trials() -> u64 {
    std::env::var("RELATE_CRASH_TRIALS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(4)
}

/// After a kill and the next command, the store is the old one or the new
/// one: HEAD is either, the work tree matches HEAD, nothing is left over.
fn assert_old_or_new(env: &TestEnv, old: &(String, Vec<(String, String)>), subject: &str) {
    env.run(&["check"]).ok();
    assert_eq!(env.git_status(), "", "nothing uncommitted or left over");
    let now = snapshot(env);
    if now.0 == old.0 {
        assert_eq!(&now, old, "rolled back to the old store");
    } else {
        assert!(env.commits()[0].starts_with(subject), "{:?}", env.commits());
        assert_eq!(
            env.git(&["rev-parse", "HEAD~1"]).trim(),
            old.0,
            "one new commit"
        );
    }
    assert!(!env.store().join(".git/index.lock").exists());
    assert!(!env.store().join(".git/relate/journal").exists());
}

#[test]
fn an_import_killed_at_any_moment_leaves_the_old_store_or_the_new_one() {
    let env = TestEnv::new();
    std::fs::write(env.path().join("orders.csv"), orders_csv(400)).unwrap();
    let import = [
        "import",
        "orders",
        "orders.csv",
        "--create-customers",
        "--create-products",
    ];
    let started = Instant::now();
    env.run(&import).ok();
    let takes = started.elapsed();
    env.run(&["undo"]).ok();
    for trial in 0..trials() {
        let old = snapshot(&env);
        // Spread the kills over the whole run, the same moments every time.
        let delay = takes.mul_f64(((trial * 37 + 11) % 100) as f64 / 100.0);
        kill_after(&env, &import, delay);
        assert_old_or_new(&env, &old, "import");
        if env.commits()[0].starts_with("import") {
            env.run(&["undo"]).ok();
        }
    }
}

#[test]
fn a_log_killed_at_any_moment_leaves_the_old_store_or_the_new_one() {
    let env = TestEnv::with_basics();
    let log = ["log", "acme-corp", "--channel", "phone", "--summary", "x"];
    let started = Instant::now();
    env.run(&log).ok();
    let takes = started.elapsed();
    for trial in 0..trials() * 2 {
        let old = snapshot(&env);
        let delay = takes.mul_f64(((trial * 37 + 11) % 100) as f64 / 100.0);
        kill_after(&env, &log, delay);
        assert_old_or_new(&env, &old, "log");
    }
}
