//! Reading and writing record files: atomic writes, parse errors with their line.

use git2::Oid;
use serde::de::DeserializeOwned;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Problem, Result};

/// Writes `contents` to `path` atomically: a temporary file in the same folder,
/// flushed to disk, then renamed over the target. A crash leaves the old file or
/// the new one, never half of either.
pub fn write_atomic(path: &Path, contents: &[u8]) -> Result<()> {
    write_replacing(path, contents, true)
}

/// Writes `contents` through a temporary file renamed over `path`; with `sync`,
/// the data (and the rename, through the folder) reaches the disk. A new file
/// gets the usual mode (0666 less the umask), a replaced one keeps its own.
pub(super) fn write_replacing(path: &Path, contents: &[u8], sync: bool) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    // A bare file name (as git hands the merge driver) lives in the current folder.
    let dir = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".relate-")
        .suffix(".tmp")
        .permissions(std::fs::Permissions::from_mode(0o666))
        .tempfile_in(dir)
        .map_err(|e| Error::io(dir, e))?;
    if let Ok(existing) = std::fs::metadata(path) {
        tmp.as_file()
            .set_permissions(existing.permissions())
            .map_err(|e| Error::io(path, e))?;
    }
    tmp.write_all(contents).map_err(|e| Error::io(path, e))?;
    if sync {
        tmp.as_file().sync_all().map_err(|e| Error::io(path, e))?;
    }
    tmp.persist(path).map_err(|e| Error::io(path, e.error))?;
    if sync {
        std::fs::File::open(dir)
            .and_then(|folder| folder.sync_all())
            .map_err(|e| Error::io(dir, e))?;
    }
    Ok(())
}

/// The git blob id of `bytes`: what identifies a file's content.
/// (SHA-1 of `blob <length>\0` and the bytes, as git computes it, with the
/// CPU's SHA instructions where there are: a cold read hashes every file.)
pub fn blob_id(bytes: &[u8]) -> Oid {
    use sha1::{Digest, Sha1};
    let mut hasher = Sha1::new();
    hasher.update(format!("blob {}\0", bytes.len()).as_bytes());
    hasher.update(bytes);
    Oid::from_bytes(&hasher.finalize()).expect("SHA-1 ids are 20 bytes")
}

/// Flushes every written file of the file system holding `root` to disk at once:
/// one flush instead of one per file for transactions of thousands of files.
#[cfg(target_os = "linux")]
pub(super) fn sync_file_system(root: &Path, _written: &[std::path::PathBuf]) -> Result<()> {
    use std::os::fd::AsRawFd;
    let dir = std::fs::File::open(root).map_err(|e| Error::io(root, e))?;
    // SAFETY: syncfs only reads the descriptor, which `dir` keeps open.
    if unsafe { libc::syncfs(dir.as_raw_fd()) } != 0 {
        return Err(Error::io(root, std::io::Error::last_os_error()));
    }
    Ok(())
}

/// Flushes the written files to disk, one by one where no file-system flush exists.
#[cfg(not(target_os = "linux"))]
pub(super) fn sync_file_system(root: &Path, written: &[std::path::PathBuf]) -> Result<()> {
    for rel in written {
        let path = root.join(rel);
        match std::fs::File::open(&path) {
            Ok(file) => file.sync_all().map_err(|e| Error::io(&path, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io(&path, e)),
        }
    }
    Ok(())
}

/// A record as YAML text, readable alike by YAML 1.2 readers (relate, yq) and
/// YAML 1.1 readers (PyYAML): serde_yaml leaves `yes`, `no`, `on`, `off`, `y` and
/// `n` unquoted since they are plain strings in YAML 1.2, but YAML 1.1 reads them
/// as booleans, so they are quoted here.
pub fn to_yaml<T: serde::Serialize>(record: &T) -> Result<String> {
    let text = serde_yaml::to_string(record).map_err(|e| Error::failed(e.to_string()))?;
    let mut out = String::with_capacity(text.len() + 8);
    // Indentation of the key that opened a block scalar (`body: |`), whose lines are literal.
    let mut block_indent: Option<usize> = None;
    for line in text.lines() {
        let indent = line.len() - line.trim_start().len();
        if block_indent.is_some_and(|opened| indent > opened || line.is_empty()) {
            out.push_str(line);
            out.push('\n');
            continue;
        }
        block_indent = None;
        let value_start = match line.trim_start().strip_prefix("- ") {
            Some(_) if !line.contains(": ") => Some(indent + 2),
            _ => line.find(": ").map(|at| at + 2),
        };
        match value_start.map(|at| line.split_at(at)) {
            Some((head, value)) if yaml11_reads_as_non_string(value) => {
                out.push_str(head);
                out.push('\'');
                out.push_str(value);
                out.push('\'');
            }
            Some((_, value)) if value.starts_with('|') || value.starts_with('>') => {
                block_indent = Some(indent);
                out.push_str(line);
            }
            _ => out.push_str(line),
        }
        out.push('\n');
    }
    Ok(out)
}

/// Whether YAML 1.1 reads a plain scalar that YAML 1.2 reads as a string as
/// something else: a boolean (`yes`), a base-60 number (`12:30` is 750), a
/// number with `_` separators (`1_000`) or a binary number (`0b101`).
fn yaml11_reads_as_non_string(value: &str) -> bool {
    let numeric = value.chars().any(|c| c.is_ascii_digit())
        && value
            .chars()
            .all(|c| c.is_ascii_digit() || "_:.+-eE".contains(c));
    let unsigned = value.trim_start_matches(['+', '-']);
    let binary = unsigned.strip_prefix("0b").is_some_and(|rest| {
        !rest.is_empty() && rest.chars().all(|c| c == '0' || c == '1' || c == '_')
    });
    YAML11_BOOLEANS.contains(&value) || (numeric && value.contains([':', '_'])) || binary
}

const YAML11_BOOLEANS: &[&str] = &[
    "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off",
    "OFF",
];

/// Leftover git conflict markers, by line number.
pub fn conflict_marker_lines(text: &str) -> Vec<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| {
            line.starts_with("<<<<<<<") || line.starts_with(">>>>>>>") || *line == "======="
        })
        .map(|(n, _)| n + 1)
        .collect()
}

/// How deeply a record's YAML may nest: records are a few levels deep (a
/// conflict's value inside a list of conflicts is the deepest), and the YAML
/// parser's time grows with the square of the depth.
pub const MAX_NESTING: usize = 32;

/// Parses YAML text into `T`; a failure becomes a problem at the error's line.
/// A byte-order mark is allowed (editors on Windows write one).
pub fn parse_yaml<T: DeserializeOwned>(rel_path: &Path, text: &str) -> Result<T, Problem> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(line) = conflict_marker_lines(text).first() {
        return Err(Problem::new(
            rel_path,
            Some(*line),
            "git conflict marker left in the file: keep the right lines, delete the markers",
        ));
    }
    if let Some(line) = too_deep(text) {
        return Err(Problem::new(
            rel_path,
            Some(line),
            format!(
                "nested more than {MAX_NESTING} levels deep: no record is; the file is damaged"
            ),
        ));
    }
    serde_yaml::from_str(text).map_err(|error| {
        let location = error.location();
        let mut message = error.to_string();
        // The location goes in front as `path:line:`, not at the end.
        if let Some(at) = message.rfind(" at line ") {
            message.truncate(at);
        }
        if let Some(field) = quoted_after(&message, "duplicate field ") {
            // The parser points at the mapping's start; the problem is the second key.
            let line = key_lines(text, field).nth(1);
            return Problem::new(rel_path, line.or(Some(1)), message);
        }
        if let Some(better) = unknown_field_message(&message) {
            message = better;
        }
        match location {
            Some(loc) if loc.line() > 1 || loc.column() > 1 => Problem::new(
                rel_path,
                Some(loc.line()),
                format!("{message} (column {})", loc.column()),
            ),
            _ => Problem::new(rel_path, Some(1), message),
        }
    })
}

/// The first line at which the text nests deeper than [`MAX_NESTING`], in one
/// pass: flow collections (`[`, `{`) outside quotes and comments, block
/// indentation, and sequences opened on one line (`- - - x`).
fn too_deep(text: &str) -> Option<usize> {
    let mut flow = 0usize;
    for (number, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let dashes = line
            .trim_start()
            .split_inclusive(' ')
            .take_while(|w| *w == "- ")
            .count();
        let mut quote: Option<char> = None;
        let mut previous = ' ';
        for c in line.chars() {
            match (quote, c) {
                (Some('"'), '\\') if previous != '\\' => {}
                (Some(q), _) if c == q && !(q == '"' && previous == '\\') => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, '#') if previous == ' ' => break,
                (None, '[' | '{') => {
                    flow += 1;
                    if flow > MAX_NESTING {
                        return Some(number + 1);
                    }
                }
                (None, ']' | '}') => flow = flow.saturating_sub(1),
                _ => {}
            }
            previous = c;
        }
        // Two columns of indentation per level, as relate writes its files.
        if dashes > MAX_NESTING || indent / 2 > MAX_NESTING {
            return Some(number + 1);
        }
    }
    None
}

/// The text between backquotes right after `prefix` in `message`.
fn quoted_after<'m>(message: &'m str, prefix: &str) -> Option<&'m str> {
    let rest = message.strip_prefix(prefix)?.strip_prefix('`')?;
    rest.split_once('`').map(|(quoted, _)| quoted)
}

/// The lines on which `key:` stands, at any indentation.
fn key_lines<'t>(text: &'t str, key: &'t str) -> impl Iterator<Item = usize> + 't {
    text.lines().enumerate().filter_map(move |(n, line)| {
        let rest = line
            .trim_start()
            .strip_prefix("- ")
            .unwrap_or(line.trim_start());
        rest.strip_prefix(key)
            .is_some_and(|after| after.starts_with(':'))
            .then_some(n + 1)
    })
}

/// serde's "unknown field `regoin`, expected one of `id`, ..." as "unknown
/// field `regoin`: did you mean `region`?", when one of the fields is close.
fn unknown_field_message(message: &str) -> Option<String> {
    let field = quoted_after(message, "unknown field ")?;
    let (_, expected) = message.split_once("expected one of ")?;
    let candidates: Vec<String> = expected
        .split(", ")
        .map(|name| name.trim_matches('`').to_string())
        .collect();
    let best = crate::model::id::suggest(field, &candidates)?;
    Some(format!("unknown field `{field}`: did you mean `{best}`?"))
}

/// The line on which top-level `key:` stands, to point a problem at it.
pub fn line_of_key(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|line| {
            line.strip_prefix(key)
                .is_some_and(|rest| rest.starts_with(':'))
        })
        .map(|n| n + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_ids_are_git_s() {
        for bytes in [&b""[..], b"id: acme\n", &[0xff; 100_000]] {
            let libgit2 = git2::Oid::hash_object(git2::ObjectType::Blob, bytes).unwrap();
            assert_eq!(blob_id(bytes), libgit2);
        }
    }

    #[test]
    fn yaml11_booleans_are_quoted_outside_block_scalars() {
        #[derive(serde::Serialize)]
        struct R {
            a: &'static str,
            tags: Vec<&'static str>,
            body: &'static str,
            flag: bool,
        }
        let text = to_yaml(&R {
            a: "no",
            tags: vec!["on", "yes please", "12:30", "1_000", "0b101", "2026-11-22"],
            body: "first\nno\n- yes\n",
            flag: true,
        })
        .unwrap();
        assert_eq!(
            text,
            "a: 'no'\ntags:\n- 'on'\n- yes please\n- '12:30'\n- '1_000'\n- '0b101'\n- 2026-11-22\nbody: |\n  first\n  no\n  - yes\nflag: true\n"
        );
    }

    #[test]
    fn key_lines() {
        let text = "id: a\nname: A\nnamed: x\nemails:\n- a@b\n";
        assert_eq!(line_of_key(text, "name"), Some(2));
        assert_eq!(line_of_key(text, "emails"), Some(4));
        assert_eq!(line_of_key(text, "owner"), None);
    }

    #[test]
    fn conflict_markers() {
        let text = "id: a\n<<<<<<< ours\nname: A\n=======\nname: B\n>>>>>>> theirs\n";
        assert_eq!(conflict_marker_lines(text), [2, 4, 6]);
    }

    #[test]
    fn new_files_get_the_usual_mode_and_replaced_ones_keep_theirs() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x.yaml");
        write_atomic(&path, b"one\n").unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path) & 0o644, 0o644, "readable by others as usual");
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o664)).unwrap();
        write_atomic(&path, b"two\n").unwrap();
        assert_eq!(mode(&path), 0o664);
    }

    #[test]
    fn atomic_write_replaces_whole_files() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/x.yaml");
        write_atomic(&path, b"one\n").unwrap();
        write_atomic(&path, b"two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        let leftovers = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(leftovers, 1);
    }
}
