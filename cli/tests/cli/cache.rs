//! The derived cache under `.git/` is invisible: after any sequence of writes,
//! hand edits, git checkouts and resets, damage to the cache itself and
//! concurrent writers, every answer with the cache equals the answer with the
//! cache off (`RELATE_CACHE=off`), which reads every file.

use std::path::{Path, PathBuf};

use crate::common::TestEnv;

/// A copy of sample-data as a store of its own, committed.
fn sample_store() -> TestEnv {
    let env = TestEnv::empty();
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../sample-data");
    copy_dir(&sample, &env.store());
    env.git(&["init", "--quiet", "--initial-branch=main"]);
    env.git(&["add", "-A"]);
    env.git(&["commit", "--quiet", "-m", "sample data"]);
    env
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every reading command, as scripts run them.
const READS: &[&[&str]] = &[
    &["check"],
    &["customer", "list"],
    &["customer", "show", "aurora-legal-plc"],
    &["deal", "list"],
    &["order", "list"],
    &["ticket", "list"],
    &["asset", "list"],
    &["conflicts"],
    &["report", "segments", "--by", "region"],
    &["report", "rfm"],
    &["report", "value"],
    &["report", "loyalty"],
    &["report", "funnel"],
    &["report", "forecast"],
    &["report", "basket", "--min-support", "0.02"],
    &["report", "demand"],
    &["report", "service"],
    &["report", "assets"],
    &["report", "clv"],
    &["agenda"],
    &["recommend", "aurora-legal-plc"],
    &["search", "aurora"],
    &["search", "aurora", "call"],
    // Words only the renamed customer has (step 2), alone and as the
    // context of their logged calls.
    &["search", "zurora"],
    &["search", "zurora", "call"],
    &["search", "renewal", "--kind", "deal,interaction"],
];

/// Each reading command's output and exit code, with the cache and without.
fn assert_cache_is_invisible(env: &TestEnv, step: &str) {
    for args in READS {
        let read = |cache: &str| {
            let output = env
                .command()
                .env("RELATE_CACHE", cache)
                .args(["--format", "json"])
                .args(*args)
                .output()
                .unwrap();
            (
                output.status.code(),
                String::from_utf8_lossy(&output.stdout).into_owned(),
                String::from_utf8_lossy(&output.stderr).into_owned(),
            )
        };
        let cached = read("on");
        let files = read("off");
        assert_eq!(cached, files, "after {step}: relate {}", args.join(" "));
    }
}

/// Replaces `from` by `to` (of the same length) in a file, keeping its
/// modification time: only its change time and content tell.
fn edit_keeping_size_and_mtime(path: &Path, from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let mtime = std::fs::metadata(path).unwrap().modified().unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{}: {from}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(mtime).unwrap();
}

/// The cache's segments, the search texts kept beside them, and the
/// listings kept for the monitor.
fn segments(env: &TestEnv) -> Vec<PathBuf> {
    let mut files = cache_files(env, "seg");
    files.extend(cache_files(env, "words"));
    files.extend(cache_files(env, "list"));
    files
}

/// The files of the cache with the extension `ext`.
fn cache_files(env: &TestEnv, ext: &str) -> Vec<PathBuf> {
    let dir = env.store().join(".git/relate/cache");
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == ext))
        .map(|e| e.into_path())
        .collect()
}

/// One change to the store, of the kinds a team's day brings.
fn step(env: &TestEnv, n: u64) -> String {
    let customer = env.store().join("customers/aurora-legal-plc.yaml");
    match n % 14 {
        0 => {
            env.run(&[
                "log",
                "aurora-legal-plc",
                "--channel",
                "phone",
                "--summary",
                &format!("call {n}"),
            ])
            .ok();
            "a logged call".into()
        }
        1 => {
            env.run(&[
                "customer",
                "set",
                "aurora-legal-plc",
                &format!("fields.step={n}"),
            ])
            .ok();
            "customer set".into()
        }
        2 => {
            let text = std::fs::read_to_string(&customer).unwrap();
            // A different name to search, of the same length.
            let (from, to) = if text.contains("name: Aurora") {
                ("name: Aurora", "name: Zurora")
            } else {
                ("name: Zurora", "name: Aurora")
            };
            edit_keeping_size_and_mtime(&customer, from, to);
            "a hand edit keeping size and mtime".into()
        }
        3 => {
            if env.git(&["rev-list", "--count", "HEAD"]).trim() != "1" {
                env.git(&["checkout", "--quiet", "HEAD~1"]);
            }
            "git checkout of the previous commit".into()
        }
        4 => {
            env.git(&["checkout", "--quiet", "main"]);
            "git checkout back".into()
        }
        5 => {
            if env.git(&["rev-list", "--count", "HEAD"]).trim() != "1" {
                env.git(&["reset", "--quiet", "--hard", "HEAD~1"]);
            }
            "git reset --hard".into()
        }
        6 => {
            for segment in segments(env).iter().step_by(2) {
                std::fs::remove_file(segment).unwrap();
            }
            "deleted cache segments".into()
        }
        7 => {
            for segment in segments(env) {
                let bytes = std::fs::read(&segment).unwrap();
                std::fs::write(&segment, &bytes[..bytes.len() / 3]).unwrap();
            }
            "truncated cache segments".into()
        }
        8 => {
            std::thread::scope(|scope| {
                for worker in 0..3 {
                    scope.spawn(move || {
                        env.command()
                            .env_remove("RELATE_SEED")
                            .args([
                                "log",
                                "atlas-academy-pte-ltd",
                                "--channel",
                                "email",
                                "--summary",
                                &format!("mail {worker}"),
                            ])
                            .output()
                            .unwrap();
                    });
                }
                scope.spawn(|| env.command().args(["report", "segments"]).output().unwrap());
            });
            "concurrent writers and a reader".into()
        }
        10 => {
            // A setting that check judges the records by: the kept findings
            // of the last check are for the other relate.yaml.
            let settings = env.store().join("relate.yaml");
            let text = std::fs::read_to_string(&settings).unwrap();
            let toggled = if text.contains("- social\n") {
                text.replace("- social\n", "")
            } else {
                text.replace("- web\n", "- web\n- social\n")
            };
            std::fs::write(&settings, toggled).unwrap();
            "relate.yaml edited by hand".into()
        }
        12 => {
            // A record that search finds turned invalid (an unknown channel),
            // then valid again: every read of it is exit 4 alike.
            let contact = env
                .store()
                .join("interactions/2026/11/20261105t154621-n31tk.yaml");
            let text = std::fs::read_to_string(&contact).unwrap();
            let toggled = if text.contains("channel: email\n") {
                text.replace("channel: email\n", "channel: pigeon\n")
            } else {
                text.replace("channel: pigeon\n", "channel: email\n")
            };
            std::fs::write(&contact, toggled).unwrap();
            "a contact made invalid, or valid again, by hand".into()
        }
        13 => {
            // A hand edit gone wrong: a file of aurora's that is not YAML,
            // then mended. Its problem comes from the cache as from the file.
            let contact = env
                .store()
                .join("interactions/2025/06/20250626t120323-9sn8t.yaml");
            let text = std::fs::read_to_string(&contact).unwrap();
            let toggled = match text.strip_prefix("summary: [not closed\n") {
                Some(mended) => mended.to_string(),
                None => format!("summary: [not closed\n{text}"),
            };
            std::fs::write(&contact, toggled).unwrap();
            "a file made unparsable, or mended, by hand".into()
        }
        11 => {
            for kept in cache_files(env, "result") {
                let mut bytes = std::fs::read(&kept).unwrap();
                let middle = bytes.len() / 2;
                bytes[middle] ^= 1;
                std::fs::write(&kept, bytes).unwrap();
            }
            "a flipped bit in the kept check".into()
        }
        _ => {
            std::fs::write(
                &customer,
                std::fs::read_to_string(&customer)
                    .unwrap()
                    .replace("region:", "notes: hand edit\nregion:"),
            )
            .unwrap();
            env.git(&["stash", "--quiet"]);
            "a hand edit stashed".into()
        }
    }
}

#[test]
fn answers_with_the_cache_equal_answers_from_the_files() {
    walk(&sample_store());
}

/// With the file-system monitor on, every change below reaches reads through
/// its events, or through the listing of every file where it vouches for nothing.
#[cfg(target_os = "linux")]
#[test]
fn answers_with_the_monitor_equal_answers_from_the_files() {
    let env = sample_store();
    let on: serde_json::Value = env.json(&["monitor", "on"]);
    assert_eq!(
        (&on["enabled"], &on["running"]),
        (&true.into(), &true.into())
    );
    walk(&env);
    assert!(
        !cache_files(&env, "list").is_empty(),
        "the monitor vouched for folders"
    );
    let off: serde_json::Value = env.json(&["monitor", "off"]);
    assert_eq!(
        (&off["enabled"], &off["running"]),
        (&false.into(), &false.into())
    );
}

/// Reads after each step of a walk through the changes a team's day brings.
fn walk(env: &TestEnv) {
    assert_cache_is_invisible(env, "a cold start");
    assert!(!segments(env).is_empty(), "the reads filled the cache");
    assert_eq!(
        cache_files(env, "result").len(),
        1,
        "check kept its findings"
    );
    // Past the racy window, the cache trusts files by their stat data alone:
    // from here on an edit must show in the stat key (ctime), not only in content.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_cache_is_invisible(env, "the racy window");
    let steps: u64 = std::env::var("RELATE_CACHE_STEPS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(10);
    // Every kind of change once, in an order that mixes them, then a fixed
    // pseudo-random walk for longer runs (RELATE_CACHE_STEPS=200).
    const FIRST: [u64; 21] = [
        0, 2, 1, 13, 6, 3, 12, 10, 0, 4, 8, 11, 13, 7, 12, 2, 10, 13, 5, 9, 11,
    ];
    let mut n = 7;
    for i in 0..steps.max(FIRST.len() as u64) {
        n = match FIRST.get(i as usize) {
            Some(&first) => first,
            None => (n * 7 + 3) % 1009,
        };
        let done = step(env, n);
        assert_cache_is_invisible(env, &done);
    }
}

#[test]
fn the_cache_lives_under_git_and_is_never_committed() {
    let env = sample_store();
    env.run(&["report", "segments"]).ok();
    assert!(!segments(&env).is_empty());
    assert_eq!(env.git_status(), "");
    env.run(&["customer", "set", "aurora-legal-plc", "region=EU"])
        .ok();
    assert_eq!(env.last_commit_files(), ["customers/aurora-legal-plc.yaml"]);
}
