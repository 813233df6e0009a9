//! The system `git` program, for everything that talks to a remote or runs the
//! merge driver: it brings the user's SSH keys, configuration and credential
//! helpers along, exactly as when they run git themselves.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::git::Author;
use crate::error::{Error, Result};
use crate::model::values::Timestamp;

pub struct SystemGit {
    dir: PathBuf,
    /// `GIT_AUTHOR_*` and `GIT_COMMITTER_*`, so commits git makes (merges)
    /// carry relate's author and clock.
    identity: Vec<(&'static str, String)>,
}

/// How one git run ended, and what it said (its error output, else its output:
/// `git merge` reports conflicts on standard output).
pub struct Outcome {
    pub success: bool,
    pub message: String,
}

impl SystemGit {
    /// Git run in `dir`, committing as `author` at `now`.
    pub fn new(dir: &Path, author: Option<&Author>, now: &Timestamp) -> SystemGit {
        let date = now.to_rfc2822();
        let mut identity = vec![
            ("GIT_AUTHOR_DATE", date.clone()),
            ("GIT_COMMITTER_DATE", date),
        ];
        if let Some(author) = author {
            for (key, value) in [
                ("GIT_AUTHOR_NAME", &author.name),
                ("GIT_AUTHOR_EMAIL", &author.email),
                ("GIT_COMMITTER_NAME", &author.name),
                ("GIT_COMMITTER_EMAIL", &author.email),
            ] {
                identity.push((key, value.clone()));
            }
        }
        SystemGit {
            dir: dir.to_path_buf(),
            identity,
        }
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new("git");
        command
            .args(args)
            .current_dir(&self.dir)
            .envs(self.identity.iter().map(|(k, v)| (k, v)))
            .env("GIT_MERGE_AUTOEDIT", "no");
        command
    }

    /// Runs `git ARGS`, reporting failure as an outcome rather than an error;
    /// only a git that cannot be started is an error.
    pub fn try_run(&self, args: &[&str]) -> Result<Outcome> {
        let output = self.command(args).output().map_err(cannot_run)?;
        let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).trim().to_string();
        let stderr = text(&output.stderr);
        Ok(Outcome {
            success: output.status.success(),
            message: if stderr.is_empty() {
                text(&output.stdout)
            } else {
                stderr
            },
        })
    }

    /// Runs `git ARGS` and returns its standard output; a failure is an error
    /// quoting what git said.
    pub fn stdout(&self, args: &[&str]) -> Result<String> {
        let output = self.command(args).output().map_err(cannot_run)?;
        if output.status.success() {
            Ok(String::from_utf8_lossy(&output.stdout).into_owned())
        } else {
            Err(Error::failed(format!(
                "`git {}` failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr).trim()
            )))
        }
    }

    /// Runs `git ARGS`; a failure is an error quoting what git said.
    pub fn run(&self, args: &[&str]) -> Result<()> {
        let outcome = self.try_run(args)?;
        if outcome.success {
            Ok(())
        } else {
            Err(Error::failed(format!(
                "`git {}` failed: {}",
                args.join(" "),
                outcome.message
            )))
        }
    }
}

fn cannot_run(error: std::io::Error) -> Error {
    Error::failed(format!("cannot run git: {error}")).with_hint(
        "install git and put it on PATH: relate reaches remotes through it, with your SSH keys and credentials",
    )
}
