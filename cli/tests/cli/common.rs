//! The test environment: a temporary folder with a home, a store, and a way to
//! run `relate` in it with everything that could vary fixed.

use serde::{Deserialize, Deserializer};
use std::path::{Path, PathBuf};

/// The fixed clock every test runs at.
pub const NOW: &str = "2026-11-22T10:15:00Z";
pub const AUTHOR_NAME: &str = "Test User";
pub const AUTHOR_EMAIL: &str = "test@example.com";

pub struct TestEnv {
    dir: tempfile::TempDir,
}

/// What one run printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(self) -> String {
        assert_eq!(self.code, 0, "expected success, got {self:#?}");
        self.stdout
    }

    /// Asserts the exit code and returns stderr.
    #[track_caller]
    pub fn fails(self, code: i32) -> String {
        assert_eq!(self.code, code, "expected exit {code}, got {self:#?}");
        self.stderr
    }
}

impl TestEnv {
    /// An environment without a store.
    pub fn empty() -> TestEnv {
        let dir = tempfile::tempdir().expect("temporary folder");
        std::fs::create_dir(dir.path().join("home")).unwrap();
        TestEnv { dir }
    }

    /// An environment with a fresh store at `store/`.
    pub fn new() -> TestEnv {
        let env = TestEnv::empty();
        env.run(&["init", "store"]).ok();
        env
    }

    /// A store with two customers and two products, as many tests need.
    pub fn with_basics() -> TestEnv {
        let env = TestEnv::new();
        env.run(&[
            "customer",
            "add",
            "Acme Corp",
            "--email",
            "info@acme.example",
        ])
        .ok();
        env.run(&[
            "customer",
            "add",
            "Ana Lima",
            "--company",
            "acme-corp",
            "--email",
            "ana@example.com",
        ])
        .ok();
        env.run(&[
            "product",
            "add",
            "printer",
            "--name",
            "Printer X",
            "--price",
            "499",
            "--cost",
            "300",
        ])
        .ok();
        env.run(&[
            "product", "add", "toner", "--name", "Toner A4", "--price", "19.90", "--cost", "8",
        ])
        .ok();
        env
    }

    /// Plans the e-mail campaign `autumn` to the customers `filter` selects.
    pub fn plan_autumn_campaign(&self, filter: &str) {
        self.run(&[
            "campaign",
            "new",
            "Autumn",
            "--channel",
            "email",
            "--where",
            filter,
        ])
        .ok();
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn store(&self) -> PathBuf {
        self.dir.path().join("store")
    }

    /// A hermetic `relate` command run in the environment's folder with the store
    /// named through `RELATE_STORE`.
    pub fn command(&self) -> assert_cmd::Command {
        assert_cmd::Command::from_std(self.process())
    }

    /// The same command as a plain process, for tests that start it in the
    /// background (and kill it, or let it wait for a lock).
    pub fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("relate"));
        cmd.env_clear()
            .current_dir(self.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path().join("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.path().join("home/.gitconfig"))
            .env("TZ", "UTC")
            .env("NO_COLOR", "1")
            .env("RELATE_NOW", NOW)
            .env("RELATE_SEED", "42")
            .env("RELATE_AUTHOR", format!("{AUTHOR_NAME} <{AUTHOR_EMAIL}>"))
            .env("RELATE_STORE", self.store());
        cmd
    }

    /// Runs `relate ARGS`.
    pub fn run(&self, args: &[&str]) -> Run {
        run_command(self.command().args(args))
    }

    /// Runs `relate ARGS`, which must succeed, and returns the id it printed.
    #[track_caller]
    pub fn created(&self, args: &[&str]) -> String {
        self.run(args).ok().trim().to_string()
    }

    /// Runs `relate --format json ARGS` and parses the output into `T`, a
    /// struct that denies unknown fields: the JSON shape is locked.
    #[track_caller]
    pub fn json<T: serde::de::DeserializeOwned>(&self, args: &[&str]) -> T {
        let out = self.run(&[&["--format", "json"], args].concat()).ok();
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
    }

    /// Runs `relate ARGS` with the environment variable `name` set to `value`.
    pub fn run_with_env(&self, (name, value): (&str, &str), args: &[&str]) -> Run {
        run_command(self.command().env(name, value).args(args))
    }

    /// Runs `relate ARGS` with `stdin` as standard input.
    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        run_command(self.command().args(args).write_stdin(stdin))
    }

    /// The text of a file in the store.
    pub fn read(&self, rel: &str) -> String {
        let path = self.store().join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    /// Writes a file in the store (as a hand edit would).
    pub fn write(&self, rel: &str, text: &str) {
        let path = self.store().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    /// A store file parsed as YAML.
    pub fn yaml(&self, rel: &str) -> serde_yaml::Value {
        serde_yaml::from_str(&self.read(rel)).expect("valid YAML")
    }

    /// All files below the store (relative, sorted), outside `.git`.
    pub fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = walkdir::WalkDir::new(self.store())
            .into_iter()
            .filter_entry(|e| e.file_name() != ".git")
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                e.path()
                    .strip_prefix(self.store())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        files.sort();
        files
    }

    /// Commit subjects, newest first.
    pub fn commits(&self) -> Vec<String> {
        let repo = git2::Repository::discover(self.store()).expect("a repository");
        let mut walk = repo.revwalk().unwrap();
        if walk.push_head().is_err() {
            return Vec::new();
        }
        walk.map(|oid| {
            let commit = repo.find_commit(oid.unwrap()).unwrap();
            commit.summary().unwrap_or_default().to_string()
        })
        .collect()
    }

    /// The files the newest commit changed.
    pub fn last_commit_files(&self) -> Vec<String> {
        let repo = git2::Repository::discover(self.store()).unwrap();
        let head = repo.head().unwrap().peel_to_commit().unwrap();
        let parent_tree = head.parent(0).ok().map(|p| p.tree().unwrap());
        let diff = repo
            .diff_tree_to_tree(parent_tree.as_ref(), Some(&head.tree().unwrap()), None)
            .unwrap();
        let mut files: Vec<String> = diff
            .deltas()
            .map(|d| {
                d.new_file()
                    .path()
                    .or(d.old_file().path())
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        files.sort();
        files
    }

    /// Runs the system `git ARGS` in the store, hermetically; returns its output.
    #[track_caller]
    pub fn git(&self, args: &[&str]) -> String {
        let output = self.git_command().args(args).output().expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    /// A hermetic system `git` command in the store.
    pub fn git_command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new("git");
        cmd.env_clear()
            .current_dir(self.store())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path().join("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.path().join("home/.gitconfig"))
            .env("GIT_AUTHOR_NAME", AUTHOR_NAME)
            .env("GIT_AUTHOR_EMAIL", AUTHOR_EMAIL)
            .env("GIT_COMMITTER_NAME", AUTHOR_NAME)
            .env("GIT_COMMITTER_EMAIL", AUTHOR_EMAIL);
        cmd
    }

    /// HEAD's commit id.
    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"]).trim().to_string()
    }

    /// What `git status` shows, ignored files included: empty when the work
    /// tree, the index and HEAD agree.
    pub fn git_status(&self) -> String {
        self.git(&[
            "status",
            "--porcelain",
            "--ignored",
            "--untracked-files=all",
        ])
    }

    /// Whether the work tree has uncommitted changes (untracked files included).
    pub fn is_dirty(&self) -> bool {
        let repo = git2::Repository::discover(self.store()).unwrap();
        let statuses = repo.statuses(None).unwrap();
        !statuses.is_empty()
    }
}

/// For `#[serde(deserialize_with = "crate::common::present")]` on an `Option`
/// field of a fixed JSON shape: `null` reads as `None`, but a missing key is an
/// error (serde would otherwise fill it with `None`), so the shape is locked.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<T>::deserialize(deserializer)
}

fn run_command(cmd: &mut assert_cmd::Command) -> Run {
    let output = cmd.output().expect("relate runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).expect("UTF-8 stdout"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8 stderr"),
    }
}

#[test]
fn a_present_field_may_be_null_but_not_missing() {
    #[derive(Deserialize, Debug, PartialEq)]
    struct Shape {
        #[serde(deserialize_with = "present")]
        share: Option<f64>,
    }
    let read = |json: &str| serde_json::from_str::<Shape>(json);
    assert_eq!(
        read(r#"{"share": 0.5}"#).unwrap(),
        Shape { share: Some(0.5) }
    );
    assert_eq!(read(r#"{"share": null}"#).unwrap(), Shape { share: None });
    let missing = read("{}").unwrap_err().to_string();
    assert!(missing.contains("missing field `share`"), "{missing}");
}
