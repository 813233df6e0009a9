//! A property of every reader: whatever a record file holds (a teammate's
//! broken edit, a damaged disk, an attack), `check` and the reports never
//! panic, never hang, and report every problem with its file. Record files of
//! sample-data are mutated at random, byte by byte and in their YAML
//! structure, one at a time.
//!
//! A few hundred cases run in `cargo test`; a longer run:
//! `RELATE_MUTATIONS=20000 cargo test --release --test mutations`.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use relate::Error;
use relate::model::values::parse_timestamp;
use relate::report::Scope;
use relate::store::{Author, Env, Store};

/// Far above what one case takes: a case slower than this is a hang.
const NO_HANG: Duration = Duration::from_secs(10);

fn sample_store() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sample-data");
    for entry in walkdir::WalkDir::new(&sample) {
        let entry = entry.unwrap();
        let target = dir.path().join(entry.path().strip_prefix(&sample).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    dir
}

fn env() -> Env {
    let mut env = Env::fixed(
        parse_timestamp("2026-11-20T12:00:00Z").unwrap(),
        Author::parse("Test <test@example.com>").unwrap(),
    );
    // No git here, so no cache: every case reads the files.
    env.cache = None;
    env
}

/// One random change to a file's text.
fn mutate(text: &str, rng: &mut fastrand::Rng) -> String {
    let mut bytes = text.as_bytes().to_vec();
    let at = |rng: &mut fastrand::Rng, len: usize| rng.usize(..len.max(1));
    match rng.u8(..12) {
        // Bytes: flip, insert, delete, truncate.
        0 => {
            let i = at(rng, bytes.len());
            if let Some(b) = bytes.get_mut(i) {
                *b ^= 1 << rng.u8(..8);
            }
        }
        1 => {
            let i = at(rng, bytes.len());
            bytes.insert(i.min(bytes.len()), rng.u8(..));
        }
        2 if !bytes.is_empty() => {
            let i = at(rng, bytes.len());
            bytes.remove(i);
        }
        3 => bytes.truncate(at(rng, bytes.len())),
        // YAML structure: a value replaced by something else.
        4..=7 => {
            let lines: Vec<&str> = text.lines().collect();
            let i = at(rng, lines.len());
            let replacement = [
                "18446744073709551615",
                "-79228162514264337593543950335",
                "1e308",
                ".nan",
                "[1, [2, [3]]]",
                "{a: {b: {c: d}}}",
                "~",
                "''",
                "!!binary aGVsbG8=",
                "2026-02-30",
                "99999-01-01T00:00:00Z",
                "\"\\u001b]0;title\\u0007\"",
                "&a [*a]",
                "*undefined",
                "- - - - x",
            ][rng.usize(..15)];
            let mut out: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
            if let Some(line) = out.get_mut(i) {
                match line.split_once(": ") {
                    Some((key, _)) => *line = format!("{key}: {replacement}"),
                    None => *line = format!("{line} {replacement}"),
                }
            }
            return out.join("\n") + "\n";
        }
        // Keys: removed, repeated, unknown, or indented wrongly.
        8 => {
            let lines: Vec<&str> = text.lines().collect();
            let i = at(rng, lines.len());
            let mut out: Vec<&str> = lines.clone();
            if i < out.len() {
                out.remove(i);
            }
            return out.join("\n") + "\n";
        }
        9 => {
            let lines: Vec<&str> = text.lines().collect();
            let i = at(rng, lines.len());
            let line = lines.get(i).copied().unwrap_or_default();
            return format!("{text}{line}\n");
        }
        10 => return format!("{text}unknown_key: 1\n  indented: [\n"),
        _ => {
            let depth = rng.usize(1..5000);
            return format!(
                "{text}fields:\n  deep: {}x{}\n",
                "[".repeat(depth),
                "]".repeat(depth)
            );
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Reads the store as `check` and some reports do. Returns the problems found,
/// or the error a report gave.
fn read_everything(root: &Path) -> Result<(), String> {
    let store = match Store::open(root, env()) {
        Ok(store) => store,
        Err(Error::InvalidData { problems, .. }) => {
            return Err(format!("{problems:?}"));
        }
        Err(other) => return Err(other.to_string()),
    };
    let problems = relate::store::check::check(&store)
        .map_err(|e| e.to_string())?
        .problems;
    for problem in &problems {
        assert!(
            !problem.path.as_os_str().is_empty(),
            "a problem without its file: {problem}"
        );
    }
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    match store.dataset() {
        Ok(data) => {
            // (A record valid alone may still refer to a missing one: check
            // says so, reports that do not join them read it.)
            let data = data.as_of(as_of);
            let scope = Scope::all(&data, as_of);
            let _ = relate::report::rfm::report(&scope);
            let _ = relate::report::value::report(&scope, 3.into(), Some(10));
            let _ = relate::report::loyalty::report(&scope, 3.into());
            let _ = relate::report::forecast::forecast(&scope);
            let _ = relate::report::assets::assets(&scope, 30);
            let _ = relate::report::funnel::funnel(&scope, None);
            let _ = relate::report::service::service(&scope, env().now, None);
        }
        Err(Error::InvalidData {
            problems: refused, ..
        }) => {
            // What stopped the report names the file, and check found it too.
            assert!(refused.iter().all(|p| !p.path.as_os_str().is_empty()));
            assert!(
                refused
                    .iter()
                    .all(|r| problems.iter().any(|p| p.path == r.path)),
                "the report refused {refused:?}, check found {problems:?}"
            );
        }
        Err(other) => return Err(other.to_string()),
    }
    Ok(())
}

#[test]
fn mutated_record_files_never_crash_or_hang_a_reader() {
    let cases: u64 = std::env::var("RELATE_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let store = sample_store();
    let root = store.path().to_path_buf();
    let files: Vec<PathBuf> = walkdir::WalkDir::new(&root)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .map(|e| e.path().strip_prefix(&root).unwrap().to_path_buf())
        .filter(|rel| rel != Path::new("relate.yaml"))
        .collect();
    let (done, progress) = mpsc::channel::<u64>();
    let worker = std::thread::spawn(move || {
        let mut rng = fastrand::Rng::with_seed(20261202);
        for case in 0..cases {
            let rel = &files[rng.usize(..files.len())];
            let path = root.join(rel);
            let original = std::fs::read_to_string(&path).unwrap();
            let mutated = mutate(&original, &mut rng);
            std::fs::write(&path, &mutated).unwrap();
            let outcome = std::panic::catch_unwind(|| read_everything(&root));
            match outcome {
                Ok(_) => {}
                Err(_) => panic!(
                    "case {case}: reading {} panicked; its text was:\n{mutated}",
                    rel.display()
                ),
            }
            std::fs::write(&path, &original).unwrap();
            done.send(case).unwrap();
        }
        // The store reads cleanly again once every file is put back.
        assert_eq!(read_everything(&root), Ok(()));
    });
    for case in 0..cases {
        progress
            .recv_timeout(NO_HANG)
            .unwrap_or_else(|_| panic!("case {case} hangs (or panicked above)"));
    }
    worker.join().expect("no case panicked");
    drop(store);
}
