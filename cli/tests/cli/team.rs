//! A team for collaboration tests: a bare remote and clones on local paths,
//! each member with their own author, clock and id seed.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::common::{Run, TestEnv};

pub struct Team {
    pub env: TestEnv,
}

/// A teammate: the clone's folder, their name and id seed.
pub struct Member {
    pub dir: &'static str,
    pub name: &'static str,
    pub seed: &'static str,
}

pub const ANA: Member = Member {
    dir: "ana",
    name: "Ana",
    seed: "1",
};
pub const BO: Member = Member {
    dir: "bo",
    name: "Bo",
    seed: "2",
};
pub const CY: Member = Member {
    dir: "cy",
    name: "Cy",
    seed: "3",
};

impl Member {
    pub fn author(&self) -> String {
        format!("{} <{}@example.com>", self.name, self.dir)
    }
}

impl Team {
    /// A bare remote at `remote.git` holding a store with customer `acme-corp`
    /// (created and shared by Ana), cloned by each of `members`.
    pub fn new(members: &[&Member]) -> Team {
        let team = Team {
            env: TestEnv::empty(),
        };
        team.git_in(
            Path::new("."),
            &[
                "init",
                "--quiet",
                "--bare",
                "--initial-branch=main",
                "remote.git",
            ],
        );
        team.run(&ANA, &["init", "ana"]).ok();
        team.git(&ANA, &["remote", "add", "origin", "../remote.git"]);
        team.run(
            &ANA,
            &[
                "customer",
                "add",
                "Acme Corp",
                "--email",
                "info@acme.example",
            ],
        )
        .ok();
        team.run(&ANA, &["sync"]).ok();
        for member in members.iter().filter(|m| m.dir != ANA.dir) {
            team.run(member, &["clone", "remote.git", member.dir]).ok();
        }
        team
    }

    pub fn dir(&self, member: &Member) -> PathBuf {
        self.env.path().join(member.dir)
    }

    /// `relate ARGS` run by `member` in their clone.
    pub fn run(&self, member: &Member, args: &[&str]) -> Run {
        self.run_at(member, crate::common::NOW, args)
    }

    /// `relate ARGS` run by `member` with the clock at `now`.
    pub fn run_at(&self, member: &Member, now: &str, args: &[&str]) -> Run {
        let output = self
            .env
            .command()
            .env("RELATE_STORE", self.dir(member))
            .env("RELATE_AUTHOR", member.author())
            .env("RELATE_SEED", member.seed)
            .env("RELATE_NOW", now)
            .args(args)
            .output()
            .expect("relate runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8(output.stdout).unwrap(),
            stderr: String::from_utf8(output.stderr).unwrap(),
        }
    }

    /// The system git, hermetic, in `member`'s clone, as `member`; asserts success.
    pub fn git(&self, member: &Member, args: &[&str]) -> String {
        self.git_in(&self.dir(member), args)
    }

    /// A git command that may fail, as `member`.
    pub fn git_command(&self, dir: &Path) -> Command {
        let mut git = Command::new("git");
        git.env_clear()
            .current_dir(self.env.path().join(dir))
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.env.path().join("home"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", self.env.path().join("home/.gitconfig"))
            .env("GIT_AUTHOR_NAME", "Git User")
            .env("GIT_AUTHOR_EMAIL", "git@example.com")
            .env("GIT_COMMITTER_NAME", "Git User")
            .env("GIT_COMMITTER_EMAIL", "git@example.com");
        git
    }

    fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let output = self.git_command(dir).args(args).output().expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).unwrap()
    }

    /// A file of `member`'s store.
    pub fn read(&self, member: &Member, rel: &str) -> String {
        let path = self.dir(member).join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn write(&self, member: &Member, rel: &str, text: &str) {
        let path = self.dir(member).join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    pub fn yaml(&self, member: &Member, rel: &str) -> serde_yaml::Value {
        serde_yaml::from_str(&self.read(member, rel)).expect("valid YAML")
    }

    /// Commit subjects on `member`'s HEAD, newest first.
    pub fn commits(&self, member: &Member) -> Vec<String> {
        self.git(member, &["log", "--format=%s"])
            .lines()
            .map(String::from)
            .collect()
    }

    /// The record files of a kind's folder in `member`'s clone, sorted.
    pub fn record_files(&self, member: &Member, folder: &str) -> Vec<String> {
        let root = self.dir(member).join(folder);
        let mut files: Vec<String> = walkdir::WalkDir::new(&root)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| {
                e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "yaml")
            })
            .map(|e| {
                e.path()
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        files.sort();
        files
    }

    /// Whether `member`'s work tree is clean.
    pub fn is_clean(&self, member: &Member) -> bool {
        self.git(member, &["status", "--porcelain"]).is_empty()
    }
}

/// `relate ARGS` in a single-store environment, as `author` at `now`.
pub fn run_as(env: &TestEnv, author: &str, now: &str, args: &[&str]) -> Run {
    let output = env
        .command()
        .env("RELATE_AUTHOR", author)
        .env("RELATE_NOW", now)
        .args(args)
        .output()
        .expect("relate runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}
