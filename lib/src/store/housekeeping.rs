//! Keeping the repository small. Every commit writes new tree objects for the
//! folders it changed, and on a large store one of them is big: `customers/`
//! of 100,000 records is a 4 MB tree, written again by every `customer set`.
//! Loose, a thousand such edits would take gigabytes; packed, with deltas
//! between versions, a few megabytes. git packs when loose objects are many
//! (`gc --auto` counts them), not when they are big, so relate keeps its own
//! tally of what its commits wrote and starts git's own housekeeping in the
//! background, as git does after its commands: `git repack -d` once the new
//! objects pass 32 MB, `git gc --auto` every few hundred commits (which also
//! merges the packs). `gc.auto = 0` turns it off here too.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::git::{Change, Git, Prepared};

/// Bytes of new objects after which the loose objects are packed.
const REPACK_BYTES: u64 = 32 << 20;
/// Commits after which git is asked whether it wants to collect garbage.
const GC_COMMITS: u64 = 256;

/// Counts what the commit wrote and starts housekeeping when it is due.
/// Best effort: a failure here never fails the write that committed.
pub fn after_commit(git: &Git, prepared: &Prepared, changes: &[Change]) {
    if git
        .repo()
        .config()
        .and_then(|c| c.get_i64("gc.auto"))
        .is_ok_and(|auto| auto == 0)
    {
        return;
    }
    let written = written_bytes(git, prepared, changes).unwrap_or(0);
    let tally_path = git.git_dir().join("relate").join("housekeeping");
    let (mut bytes, mut commits) = read_tally(&tally_path);
    bytes += written;
    commits += 1;
    let due = if bytes >= REPACK_BYTES {
        Some(["repack", "-d", "-q"].as_slice())
    } else if commits >= GC_COMMITS {
        Some(["gc", "--auto", "--quiet"].as_slice())
    } else {
        None
    };
    if let Some(args) = due
        && start_in_background(git, args)
    {
        (bytes, commits) = (0, 0);
    }
    let _ = std::fs::write(&tally_path, format!("bytes {bytes}\ncommits {commits}\n"));
}

/// The sizes of the trees along the changed paths, the commit and its blobs:
/// what the commit added to the object database.
fn written_bytes(git: &Git, prepared: &Prepared, changes: &[Change]) -> Result<u64, git2::Error> {
    let repo = git.repo();
    let odb = repo.odb()?;
    let tree = repo.find_commit(prepared.commit)?.tree()?;
    let mut folders: BTreeSet<PathBuf> = BTreeSet::new();
    for change in changes {
        let path = PathBuf::from(git.git_path(&change.path));
        folders.extend(path.ancestors().skip(1).map(Path::to_path_buf));
    }
    let mut total = 0;
    for folder in folders {
        let id = if folder.as_os_str().is_empty() {
            tree.id()
        } else {
            match tree.get_path(&folder) {
                Ok(entry) => entry.id(),
                Err(_) => continue,
            }
        };
        total += odb.read_header(id)?.0 as u64;
    }
    for blob in changes.iter().filter_map(|c| c.blob) {
        total += odb.read_header(blob)?.0 as u64;
    }
    Ok(total)
}

fn read_tally(path: &Path) -> (u64, u64) {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let value = |key: &str| {
        text.lines()
            .find_map(|line| line.strip_prefix(key)?.trim().parse().ok())
            .unwrap_or(0)
    };
    (value("bytes "), value("commits "))
}

/// Starts `git ARGS` in the repository, detached: relate does not wait for it.
fn start_in_background(git: &Git, args: &[&str]) -> bool {
    let mut command = Command::new("git");
    command
        .args(args)
        .current_dir(git.workdir())
        .env("GIT_DIR", git.git_dir())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // Its own process group: a Ctrl-C meant for the next command spares it.
        command.process_group(0);
    }
    command.spawn().is_ok()
}
