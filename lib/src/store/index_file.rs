//! Git's index file format, read and written just enough to replace, add or
//! remove a few entries of a large index without touching the rest: entries
//! are copied byte for byte, the cached trees (`TREE`) along the changed paths
//! are invalidated, and the extensions that describe the old index as a whole
//! are dropped, as git allows for optional ones (they are rebuilt on need).
//!
//! Format: git's Documentation/gitformat-index.txt. Versions 2, 3 and 4 (whose
//! paths are prefix-compressed). Anything else, or an index this code does not
//! fully understand (a split or sparse index, entries of a conflict or of a
//! sparse checkout for a changed path), gives `None`, and the caller leaves
//! the job to `git update-index`.

use sha1::{Digest, Sha1};

/// One path to bring in line: its new entry, or `None` to remove it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Update {
    /// As git names it: relative to the work tree, with `/`.
    pub path: Vec<u8>,
    pub entry: Option<EntryData>,
}

/// The fields of an index entry besides its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EntryData {
    pub ctime: (u32, u32),
    pub mtime: (u32, u32),
    pub dev: u32,
    pub ino: u32,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub size: u32,
    pub oid: [u8; 20],
}

const HEADER: usize = 12;
const HASH: usize = 20;
/// The fixed part of an entry: stat data, object id and flags.
const FIXED: usize = 62;
const EXTENDED_FLAG: u16 = 0x4000;
const STAGE_MASK: u16 = 0x3000;

/// An index without entries, for a repository that has none yet.
pub fn empty() -> Vec<u8> {
    let mut bytes = b"DIRC".to_vec();
    bytes.extend_from_slice(&2u32.to_be_bytes());
    bytes.extend_from_slice(&0u32.to_be_bytes());
    let digest = Sha1::digest(&bytes);
    bytes.extend_from_slice(&digest);
    bytes
}

/// A new index: spans of the old one, copied as they are, and new bytes.
pub struct Patched<'a> {
    pieces: Vec<Piece<'a>>,
    /// Whether the index ends with a checksum (not under `index.skipHash`).
    checksum: bool,
}

enum Piece<'a> {
    Old(&'a [u8]),
    New(Vec<u8>),
}

impl Patched<'_> {
    /// Writes the index and its checksum. The checksum is computed on
    /// another thread while this one writes: on a large index each takes
    /// about as long as the other (docs/performance.md, "Writes").
    pub fn write_to(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        let bytes = || {
            self.pieces.iter().map(|piece| match piece {
                Piece::Old(bytes) => *bytes,
                Piece::New(bytes) => bytes.as_slice(),
            })
        };
        let hash = || {
            let mut hasher = Sha1::new();
            bytes().for_each(|piece| hasher.update(piece));
            hasher.finalize()
        };
        let digest = std::thread::scope(|scope| {
            let hashing =
                (self.checksum).then(|| std::thread::Builder::new().spawn_scoped(scope, hash));
            bytes().try_for_each(|piece| out.write_all(piece))?;
            Ok::<_, std::io::Error>(hashing.map(|spawned| match spawned {
                Ok(thread) => {
                    (thread.join()).unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                }
                // Without a thread to spare, the checksum comes after.
                Err(_) => hash(),
            }))
        })?;
        match digest {
            Some(digest) => out.write_all(&digest),
            None => out.write_all(&[0; HASH]),
        }
    }

    #[cfg(test)]
    pub fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out)
            .expect("writing to memory does not fail");
        out
    }
}

/// Builds the pieces of the new index, merging copied runs of old entries.
struct Pieces<'a> {
    old: &'a [u8],
    pieces: Vec<Piece<'a>>,
    /// The run of old bytes being copied, not yet pushed.
    run: Option<(usize, usize)>,
}

impl<'a> Pieces<'a> {
    fn copy(&mut self, start: usize, end: usize) {
        match &mut self.run {
            Some((_, run_end)) if *run_end == start => *run_end = end,
            _ => {
                self.flush();
                self.run = Some((start, end));
            }
        }
    }

    fn add(&mut self, bytes: Vec<u8>) {
        self.flush();
        self.pieces.push(Piece::New(bytes));
    }

    fn flush(&mut self) {
        if let Some((start, end)) = self.run.take() {
            self.pieces.push(Piece::Old(&self.old[start..end]));
        }
    }
}

/// The index `old` with `updates` applied (sorted by path, one per path), or
/// `None` when the index is of a form this code leaves to git.
pub fn apply<'a>(old: &'a [u8], updates: &[Update]) -> Option<Patched<'a>> {
    if old.len() < HEADER + HASH || &old[..4] != b"DIRC" {
        return None;
    }
    let version = u32::from_be_bytes(old[4..8].try_into().ok()?);
    if !(2..=4).contains(&version) {
        return None;
    }
    let count = u32::from_be_bytes(old[8..12].try_into().ok()?) as usize;
    let body_end = old.len() - HASH;
    let mut pieces = Pieces {
        old,
        pieces: Vec::new(),
        run: None,
    };
    // The header's entry count is written once the entries are counted.
    pieces.add(Vec::new());
    let mut writer = EntryWriter {
        version,
        previous: Vec::new(),
    };
    // Whether the entry written last is the old entry before this one, so that
    // a version 4 entry (whose path is encoded against it) can be copied as is.
    let mut in_step = true;
    let mut at = HEADER;
    // The path of the old entry read last, decoded (version 4 encodes each
    // path against the one before; earlier versions hold it whole).
    let mut decoded: Vec<u8> = Vec::new();
    let mut pending = updates.iter().peekable();
    let mut written = 0usize;
    for _ in 0..count {
        let entry = read_entry(old, at, body_end, version, &mut decoded)?;
        at = entry.end;
        let path = match version {
            4 => decoded.as_slice(),
            _ => &old[entry.name_at..entry.name_end],
        };
        // Updates for paths before this entry are new entries.
        while let Some(update) = pending.next_if(|u| u.path.as_slice() < path) {
            if let Some(data) = &update.entry {
                pieces.add(writer.new_entry(&update.path, data));
                written += 1;
                in_step = false;
            }
        }
        if let Some(update) = pending.next_if(|u| u.path == path) {
            // A conflict or a sparse-checkout entry on a changed path is git's to settle.
            if entry.flags & STAGE_MASK != 0 || entry.extended != 0 {
                return None;
            }
            match &update.entry {
                // Same path: the next entry's encoding still holds.
                Some(data) => {
                    pieces.add(writer.new_entry(&update.path, data));
                    written += 1;
                }
                None => in_step = false,
            }
            continue;
        }
        if version == 4 && !in_step {
            // The encoding names an entry that changed: write it anew.
            let mut bytes = old[entry.start..entry.name_at].to_vec();
            writer.encode_path(&mut bytes, path);
            pieces.add(bytes);
            in_step = true;
        } else {
            pieces.copy(entry.start, entry.end);
        }
        if version == 4 {
            writer.previous.clone_from(&decoded);
        }
        written += 1;
    }
    for update in pending {
        if let Some(data) = &update.entry {
            pieces.add(writer.new_entry(&update.path, data));
            written += 1;
        }
    }
    let mut header = old[..HEADER].to_vec();
    header[8..12].copy_from_slice(&u32::try_from(written).ok()?.to_be_bytes());
    pieces.pieces[0] = Piece::New(header);
    // Extensions: the cached trees stay, invalidated along the changed paths.
    while at < body_end {
        let signature: [u8; 4] = old.get(at..at + 4)?.try_into().ok()?;
        let size = u32::from_be_bytes(old.get(at + 4..at + 8)?.try_into().ok()?) as usize;
        let data = old.get(at + 8..at + 8 + size)?;
        match &signature {
            b"TREE" => {
                let tree = invalidate_trees(data, updates)?;
                let mut bytes = b"TREE".to_vec();
                bytes.extend_from_slice(&u32::try_from(tree.len()).ok()?.to_be_bytes());
                bytes.extend_from_slice(&tree);
                pieces.add(bytes);
            }
            b"REUC" => pieces.copy(at, at + 8 + size),
            // Optional extensions about the old index as a whole (the untracked
            // cache, fsmonitor, entry offsets) are left out: git rebuilds them.
            [b'A'..=b'Z', ..] => {}
            // A required extension (a split or sparse index) is git's to handle.
            _ => return None,
        }
        at += 8 + size;
    }
    if at != body_end {
        return None;
    }
    pieces.flush();
    Some(Patched {
        pieces: pieces.pieces,
        // `index.skipHash` writes no checksum; keep the index as it was made.
        checksum: old[body_end..].iter().any(|&b| b != 0),
    })
}

/// An entry as read: where it starts and ends, its flags.
struct Entry {
    start: usize,
    end: usize,
    flags: u16,
    extended: u16,
    /// Where the path's encoding starts (after flags and extended flags).
    name_at: usize,
    /// Where a whole path (versions 2 and 3) ends: its terminating NUL.
    name_end: usize,
}

/// The name length of an entry's flags that means "this long or longer".
const NAME_MASK: u16 = 0xfff;

/// Reads the entry at `start`. For version 4, `path` holds the path of the
/// entry before and is replaced by this one's; earlier versions leave it be:
/// their entries hold their paths whole.
fn read_entry(
    bytes: &[u8],
    start: usize,
    limit: usize,
    version: u32,
    path: &mut Vec<u8>,
) -> Option<Entry> {
    let flags_at = start + FIXED - 2;
    let flags = u16::from_be_bytes(bytes.get(flags_at..flags_at + 2)?.try_into().ok()?);
    let (extended, name_at) = if flags & EXTENDED_FLAG != 0 {
        if version < 3 {
            return None;
        }
        let at = start + FIXED;
        (
            u16::from_be_bytes(bytes.get(at..at + 2)?.try_into().ok()?),
            at + 2,
        )
    } else {
        (0, start + FIXED)
    };
    let (end, name_end) = if version == 4 {
        let (strip, suffix_at) = read_varint(bytes, name_at)?;
        let keep = path.len().checked_sub(usize::try_from(strip).ok()?)?;
        let nul = suffix_at + bytes.get(suffix_at..limit)?.iter().position(|&b| b == 0)?;
        path.truncate(keep);
        path.extend_from_slice(&bytes[suffix_at..nul]);
        (nul + 1, nul)
    } else {
        // The flags hold the path's length unless it is that long or longer, as
        // git reads it (read-cache.c): a million entries are walked without
        // looking for the end of each path.
        let length = flags & NAME_MASK;
        let nul = match length {
            NAME_MASK => name_at + bytes.get(name_at..limit)?.iter().position(|&b| b == 0)?,
            _ => name_at + usize::from(length),
        };
        (*bytes.get(nul)? == 0).then_some(())?;
        // Padded with 1 to 8 NULs to a multiple of eight bytes from the entry's start.
        (start + (nul - start + 8) / 8 * 8, nul)
    };
    (end <= limit).then_some(Entry {
        start,
        end,
        flags,
        extended,
        name_at,
        name_end,
    })
}

/// Writes entries, prefix-compressing paths against the entry before in version 4.
struct EntryWriter {
    version: u32,
    /// The path of the entry written last.
    previous: Vec<u8>,
}

impl EntryWriter {
    fn new_entry(&mut self, path: &[u8], data: &EntryData) -> Vec<u8> {
        let mut out = Vec::with_capacity(FIXED + path.len() + 8);
        for value in [
            data.ctime.0,
            data.ctime.1,
            data.mtime.0,
            data.mtime.1,
            data.dev,
            data.ino,
            data.mode,
            data.uid,
            data.gid,
            data.size,
        ] {
            out.extend_from_slice(&value.to_be_bytes());
        }
        out.extend_from_slice(&data.oid);
        let name_length =
            u16::try_from(path.len().min(usize::from(NAME_MASK))).expect("masked to 12 bits");
        out.extend_from_slice(&name_length.to_be_bytes());
        if self.version == 4 {
            self.encode_path(&mut out, path);
        } else {
            out.extend_from_slice(path);
            out.resize((out.len() + 8) / 8 * 8, 0);
        }
        self.previous = path.to_vec();
        out
    }

    /// A version 4 path: how many bytes of the previous path to drop, then the rest.
    fn encode_path(&self, out: &mut Vec<u8>, path: &[u8]) {
        let common = self
            .previous
            .iter()
            .zip(path)
            .take_while(|(a, b)| a == b)
            .count();
        write_varint(out, (self.previous.len() - common) as u64);
        out.extend_from_slice(&path[common..]);
        out.push(0);
    }
}

/// git's offset varint (varint.c): 7 bits a byte, high bit for more, and each
/// continuation adds one so that every number has a single encoding.
fn read_varint(bytes: &[u8], mut at: usize) -> Option<(u64, usize)> {
    let mut byte = *bytes.get(at)?;
    at += 1;
    let mut value = u64::from(byte & 0x7f);
    while byte & 0x80 != 0 {
        byte = *bytes.get(at)?;
        at += 1;
        value = value.checked_add(1)?.checked_mul(128)? | u64::from(byte & 0x7f);
    }
    Some((value, at))
}

fn write_varint(out: &mut Vec<u8>, mut value: u64) {
    let mut buffer = [0u8; 16];
    let mut position = buffer.len() - 1;
    buffer[position] = (value & 0x7f) as u8;
    value >>= 7;
    while value != 0 {
        value -= 1;
        position -= 1;
        buffer[position] = 0x80 | (value & 0x7f) as u8;
        value >>= 7;
    }
    out.extend_from_slice(&buffer[position..]);
}

/// The `TREE` extension with every cached tree along the changed paths marked
/// invalid (entry count -1, no object id), as git does when it changes them.
fn invalidate_trees(data: &[u8], updates: &[Update]) -> Option<Vec<u8>> {
    let paths: Vec<&[u8]> = updates.iter().map(|u| u.path.as_slice()).collect();
    let mut out = Vec::with_capacity(data.len());
    let mut at = 0;
    cached_tree(data, &mut at, &mut out, None, &paths)?;
    (at == data.len()).then_some(out)
}

/// Copies one cached tree and, after it, its subtrees (the extension lists them
/// depth first). `parent` is the folder the tree is in, with a trailing `/`
/// (`None` for the root).
fn cached_tree(
    data: &[u8],
    at: &mut usize,
    out: &mut Vec<u8>,
    parent: Option<&[u8]>,
    paths: &[&[u8]],
) -> Option<()> {
    let start = *at;
    let nul = start + data.get(start..)?.iter().position(|&b| b == 0)?;
    let space = nul + 1 + data.get(nul + 1..)?.iter().position(|&b| b == b' ')?;
    let newline = space + 1 + data.get(space + 1..)?.iter().position(|&b| b == b'\n')?;
    let entries: i64 = std::str::from_utf8(&data[nul + 1..space])
        .ok()?
        .parse()
        .ok()?;
    let subtrees: usize = std::str::from_utf8(&data[space + 1..newline])
        .ok()?
        .parse()
        .ok()?;
    *at = newline + 1;
    let oid = if entries >= 0 {
        let oid = data.get(*at..*at + HASH)?;
        *at += HASH;
        Some(oid)
    } else {
        None
    };
    let folder: Vec<u8> = match parent {
        None => Vec::new(),
        Some(parent) => [parent, &data[start..nul], b"/"].concat(),
    };
    let changed = paths.iter().any(|path| path.starts_with(&folder));
    out.extend_from_slice(&data[start..=nul]);
    match oid {
        Some(oid) if !changed => {
            out.extend_from_slice(&data[nul + 1..=newline]);
            out.extend_from_slice(oid);
        }
        _ => out.extend_from_slice(format!("-1 {subtrees}\n").as_bytes()),
    }
    for _ in 0..subtrees {
        cached_tree(data, at, out, Some(&folder), paths)?;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_round_trip_as_git_writes_them() {
        for value in [0u64, 1, 127, 128, 255, 16511, 16512, 1 << 40] {
            let mut out = Vec::new();
            write_varint(&mut out, value);
            assert_eq!(read_varint(&out, 0), Some((value, out.len())), "{value}");
        }
        // From git's varint.c: 128 is encoded as 0x80 0x00.
        let mut out = Vec::new();
        write_varint(&mut out, 128);
        assert_eq!(out, [0x80, 0x00]);
    }
}
