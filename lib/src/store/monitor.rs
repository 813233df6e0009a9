//! The file-system monitor: a daemon that watches the store's folders (down
//! to the depth of record folders) with inotify, so that a read need not look at 1.7 million files to learn
//! that none changed (the floor `git status` pays too, and what git's
//! `core.fsmonitor` removes the same way). Opt-in, per clone:
//! `git config relate.monitor true`; a read then starts it when it is not
//! running (docs/performance.md, "The file-system monitor").
//!
//! What it tells, and why it cannot be stale:
//! - each watched folder has a generation, a number the daemon sets anew on
//!   every event in the folder (a file written, its attributes changed, a
//!   file created, removed or renamed in or out) and a daemon instance, new
//!   each time it starts or rescans; a folder the daemon does not watch has
//!   no generation;
//! - a read asks; before answering, the daemon creates a cookie file and
//!   waits for its event: inotify queues the events of one instance in the
//!   order they happened, so every change made before the question was asked
//!   has been counted (git's fsmonitor daemon and watchman sync the same way);
//! - a folder whose listing the cache kept under the same instance and
//!   generation has had no event since that listing was taken (it is taken
//!   after the generation is known), so the listing is the folder as it is;
//! - when the kernel's queue overflows, or a folder is renamed, the daemon
//!   starts over under a new instance: every folder is listed again once;
//! - what inotify cannot see is never vouched for: a folder holding a file
//!   with another hard link (written through a path outside the store) is
//!   listed every time; writes through a shared memory map, which no editor
//!   or git makes, are the documented limit.
//!
//! The daemon listens on `.git/relate/monitor.sock` (the folder's permissions
//! guard it), holds `.git/relate/monitor.lock` while it runs (so there is one
//! per clone), and stops when asked, when its socket is removed, when the
//! store is removed or after a day without a question.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

#[cfg(unix)]
use unix::{ask, serve, spawn, status, stop};

use crate::error::Result;

/// The git configuration key that turns the monitor on for one clone.
pub const CONFIG_KEY: &str = "relate.monitor";

/// The first line of every answer; another version is not understood.
const PROTOCOL: &str = "relate-monitor 1";

/// The most an answer may hold: a line per folder, for a store of any size
/// (more is no answer).
const ANSWER_MAX: u64 = 16 << 20;

/// How long a question waits for the daemon before the read looks at the files.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(3);

/// How long the daemon waits for a cookie's event before saying it is unsure.
const COOKIE_TIMEOUT: Duration = Duration::from_secs(2);

/// Where inotify is: elsewhere the monitor is refused, and never started.
const SUPPORTED: bool = cfg!(target_os = "linux");

/// A unix socket's path is at most this long, less its final NUL.
const SOCKET_PATH_MAX: usize = 108;

/// How long `relate monitor on` waits for the daemon it started to answer.
const START_TIMEOUT: Duration = Duration::from_secs(10);

/// The daemon stops after this long without a question.
const IDLE_LIMIT: Duration = Duration::from_secs(24 * 3600);

/// Where the daemon of a repository listens, locks and leaves its cookies.
struct Paths {
    socket: PathBuf,
    lock: PathBuf,
    cookies: PathBuf,
    /// Why the last daemon could not start: until `relate monitor on`, reads
    /// do not start another one (it would fail again, at every command).
    failure: PathBuf,
}

impl Paths {
    fn of(git_dir: &Path) -> Paths {
        let dir = git_dir.join("relate");
        Paths {
            socket: dir.join("monitor.sock"),
            lock: dir.join("monitor.lock"),
            cookies: dir.join("monitor"),
            failure: dir.join("monitor.failed"),
        }
    }
}

/// What the monitor vouches for at one moment: the generation of each folder
/// it watches (relative to the store root), under its instance.
#[derive(Debug, Clone)]
pub(crate) struct Vouch {
    pub(crate) instance: u64,
    generations: HashMap<PathBuf, u64>,
}

impl Vouch {
    /// The instance and generation of `folder`, if it is watched.
    pub(crate) fn of(&self, folder: &Path) -> Option<(u64, u64)> {
        self.generations
            .get(folder)
            .map(|generation| (self.instance, *generation))
    }
}

/// Why the last monitor of `git_dir` could not start, if it could not.
fn failure(git_dir: &Path) -> Option<String> {
    let text = std::fs::read_to_string(Paths::of(git_dir).failure).ok()?;
    Some(text.trim_end().to_string())
}

/// What asking the monitor gave.
pub(crate) enum Answer {
    Vouch(Vouch),
    /// No daemon listens: one may be started.
    Absent,
    /// A daemon that did not answer in time, or not as expected.
    Unsure,
}

/// The running daemon, as it describes itself (`relate monitor status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub pid: u32,
    pub root: PathBuf,
    pub folders: usize,
    pub started: i64,
}

#[cfg(unix)]
mod unix {
    use std::collections::{HashMap, HashSet};
    use std::ffi::OsString;
    use std::io::{BufRead, BufReader, Write};
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Condvar, Mutex, MutexGuard};
    use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

    use super::{
        ANSWER_MAX, ANSWER_TIMEOUT, Answer, COOKIE_TIMEOUT, IDLE_LIMIT, PROTOCOL, Paths,
        SOCKET_PATH_MAX, Status, Vouch,
    };
    use crate::error::{Error, Result};

    /// Why an exchange with the daemon gave no answer.
    enum NoAnswer {
        /// No daemon listens.
        Absent,
        /// One listens, but did not answer in time, or not in this protocol.
        Garbled,
    }

    /// One exchange with the daemon: the request line, then the answer's lines
    /// between the protocol line and `end` (at most [`ANSWER_MAX`] bytes).
    fn exchange(git_dir: &Path, request: &str) -> std::result::Result<Vec<String>, NoAnswer> {
        use std::io::Read;
        let socket = Paths::of(git_dir).socket;
        let mut stream = UnixStream::connect(&socket).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => {
                NoAnswer::Absent
            }
            _ => NoAnswer::Garbled,
        })?;
        let talk = |stream: &mut UnixStream| -> std::io::Result<Vec<String>> {
            stream.set_read_timeout(Some(ANSWER_TIMEOUT))?;
            stream.set_write_timeout(Some(ANSWER_TIMEOUT))?;
            stream.write_all(format!("{request}\n").as_bytes())?;
            let mut lines = Vec::new();
            for line in BufReader::new(stream.take(ANSWER_MAX)).lines() {
                let line = line?;
                if line == "end" {
                    return Ok(lines);
                }
                lines.push(line);
            }
            Err(std::io::ErrorKind::UnexpectedEof.into())
        };
        let lines = talk(&mut stream).map_err(|_| NoAnswer::Garbled)?;
        match lines.split_first() {
            Some((first, rest)) if first == PROTOCOL => Ok(rest.to_vec()),
            _ => Err(NoAnswer::Garbled),
        }
    }

    /// Asks the daemon of `git_dir`, which must watch `root` (canonical), what
    /// it vouches for.
    pub(crate) fn ask(git_dir: &Path, root: &Path) -> Answer {
        let lines = match exchange(git_dir, "vouch") {
            Ok(lines) => lines,
            Err(NoAnswer::Absent) => return Answer::Absent,
            Err(NoAnswer::Garbled) => return Answer::Unsure,
        };
        parse_vouch(&lines, root).map_or(Answer::Unsure, Answer::Vouch)
    }

    pub(super) fn parse_vouch(lines: &[String], root: &Path) -> Option<Vouch> {
        let mut lines = lines.iter();
        if Path::new(lines.next()?.strip_prefix("root ")?) != root {
            return None;
        }
        let instance = lines.next()?.strip_prefix("instance ")?.parse().ok()?;
        let mut generations = HashMap::new();
        for line in lines {
            let (generation, folder) = line.split_once(' ')?;
            generations.insert(PathBuf::from(folder), generation.parse().ok()?);
        }
        Some(Vouch {
            instance,
            generations,
        })
    }

    /// The running daemon of `git_dir`, if one answers.
    pub(crate) fn status(git_dir: &Path) -> Option<Status> {
        let lines = exchange(git_dir, "status").ok()?;
        let field = |name: &str| {
            lines
                .iter()
                .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        };
        Some(Status {
            pid: field("pid")?.parse().ok()?,
            root: PathBuf::from(field("root")?),
            folders: field("folders")?.parse().ok()?,
            started: field("started")?.parse().ok()?,
        })
    }

    /// Asks the daemon of `git_dir` to stop, and waits until it no longer
    /// listens; whether one was running.
    pub(crate) fn stop(git_dir: &Path) -> bool {
        if exchange(git_dir, "stop").is_err() {
            return false;
        }
        // Until it let go of its lock, so that a monitor started right after can run.
        let paths = Paths::of(git_dir);
        let asked = Instant::now();
        while asked.elapsed() < ANSWER_TIMEOUT
            && (paths.socket.exists()
                || crate::store::lock::try_acquire(&paths.lock).is_ok_and(|lock| lock.is_none()))
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        true
    }

    /// Starts `relate_exe monitor serve` for the store at `root`, detached from
    /// this process and its terminal; it stops by itself (see the module).
    pub(crate) fn spawn(relate_exe: &Path, root: &Path) -> Result<()> {
        use std::os::unix::process::CommandExt;
        // Absolute: the daemon runs in the store, not where this command was run.
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        std::process::Command::new(relate_exe)
            .arg("--store")
            .arg(&root)
            .args(["monitor", "serve"])
            .current_dir(&root)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .spawn()
            .map(drop)
            .map_err(|e| Error::io(relate_exe, e))
    }

    /// What the daemon's threads share.
    struct Shared {
        state: Mutex<State>,
        /// Woken when a cookie's event is seen.
        cookie_seen: Condvar,
        stopping: AtomicBool,
        last_asked: Mutex<Instant>,
    }

    #[derive(Default)]
    struct State {
        instance: u64,
        /// Set on every event, from one counter, so no two generations repeat.
        tick: u64,
        generations: HashMap<PathBuf, u64>,
        cookies: HashSet<OsString>,
    }

    fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
        mutex
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs the daemon for the store at `root` until it stops (see the module);
    /// returns at once if another daemon already serves this clone.
    pub(crate) fn serve(root: &Path, git_dir: &Path) -> Result<()> {
        let paths = Paths::of(git_dir);
        let served = serve_at(root, &paths);
        if let Err(e) = &served {
            let _ = std::fs::write(&paths.failure, format!("{e}\n"));
        }
        served
    }

    fn serve_at(root: &Path, paths: &Paths) -> Result<()> {
        std::fs::create_dir_all(&paths.cookies).map_err(|e| Error::io(&paths.cookies, e))?;
        let Some(_lock) = crate::store::lock::try_acquire(&paths.lock)? else {
            return Ok(());
        };
        let root = root.canonicalize().map_err(|e| Error::io(root, e))?;
        let length = paths.socket.as_os_str().len();
        if length >= SOCKET_PATH_MAX {
            return Err(Error::failed(format!(
                "its socket {} would be {length} bytes long, and a unix socket's path must be under {SOCKET_PATH_MAX}",
                paths.socket.display()
            )));
        }
        // A socket left by a daemon that did not stop cleanly: the lock says none runs.
        let _ = std::fs::remove_file(&paths.socket);
        let listener =
            Arc::new(UnixListener::bind(&paths.socket).map_err(|e| Error::io(&paths.socket, e))?);
        let socket_id = file_id(&paths.socket);
        let root_id = file_id(&root);
        let shared = Arc::new(Shared {
            state: Mutex::default(),
            cookie_seen: Condvar::new(),
            stopping: AtomicBool::new(false),
            last_asked: Mutex::new(Instant::now()),
        });
        let mut watcher = {
            let mut state = locked(&shared.state);
            watcher::Watcher::start(&root, &paths.cookies, &mut state)
                .map_err(|e| Error::io(&root, e))?
        };
        let _ = std::fs::remove_file(&paths.failure);
        let events = {
            let shared = Arc::clone(&shared);
            std::thread::spawn(move || watcher.run(&shared))
        };
        let watchdog = {
            let (shared, root, socket) = (Arc::clone(&shared), root.clone(), paths.socket.clone());
            let listener = Arc::clone(&listener);
            std::thread::spawn(move || {
                while !shared.stopping.load(Ordering::SeqCst) {
                    std::thread::sleep(Duration::from_millis(500));
                    let idle = locked(&shared.last_asked).elapsed() > IDLE_LIMIT;
                    // Another folder at the store's path is another store.
                    if idle || file_id(&root) != root_id || file_id(&socket) != socket_id {
                        shared.stopping.store(true, Ordering::SeqCst);
                    }
                }
                wake(&listener, &socket);
            })
        };
        let started = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let mut cookie_number = 0u64;
        for stream in listener.incoming() {
            if shared.stopping.load(Ordering::SeqCst) {
                break;
            }
            let Ok(stream) = stream else { continue };
            cookie_number += 1;
            let cookie = paths
                .cookies
                .join(format!("cookie-{}-{cookie_number}", std::process::id()));
            let (shared, root, socket) = (Arc::clone(&shared), root.clone(), paths.socket.clone());
            let listener = Arc::clone(&listener);
            std::thread::spawn(move || {
                answer(stream, &shared, &root, &cookie, started);
                if shared.stopping.load(Ordering::SeqCst) {
                    wake(&listener, &socket);
                }
            });
        }
        shared.stopping.store(true, Ordering::SeqCst);
        if file_id(&paths.socket) == socket_id {
            let _ = std::fs::remove_file(&paths.socket);
        }
        let _ = watchdog.join();
        // The event thread reads until it sees an event: a last cookie wakes
        // it. Where none can be made, it is left to end with the process.
        let stop = paths.cookies.join("stop");
        if std::fs::File::create(&stop).is_ok() {
            let _ = events.join();
            let _ = std::fs::remove_file(&stop);
        }
        Ok(())
    }

    /// Makes the accept loop return, so that it sees it is to stop: shutting
    /// the listening socket down does on Linux, a connection does elsewhere
    /// (while the socket file is there).
    fn wake(listener: &UnixListener, socket: &Path) {
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            // SAFETY: the descriptor is the listener's, alive while it is borrowed.
            unsafe { libc::shutdown(listener.as_raw_fd(), libc::SHUT_RDWR) };
        }
        #[cfg(not(target_os = "linux"))]
        let _ = listener;
        let _ = UnixStream::connect(socket);
    }

    /// The device and inode of a file, to tell it from a file put in its place.
    fn file_id(path: &Path) -> Option<(u64, u64)> {
        use std::os::unix::fs::MetadataExt;
        std::fs::symlink_metadata(path)
            .ok()
            .map(|m| (m.dev(), m.ino()))
    }

    /// Answers one question (best effort: a client that went away is no error).
    fn answer(stream: UnixStream, shared: &Shared, root: &Path, cookie: &Path, started: u64) {
        let _ = stream.set_read_timeout(Some(ANSWER_TIMEOUT));
        use std::io::Read;
        // The longest request is a word: a client that sends more is cut short.
        let mut request = String::new();
        if BufReader::new((&stream).take(64))
            .read_line(&mut request)
            .is_err()
        {
            return;
        }
        *locked(&shared.last_asked) = Instant::now();
        let mut out = format!("{PROTOCOL}\n");
        match request.trim_end() {
            "vouch" => match synced(shared, cookie) {
                Some(state) => {
                    out += &format!("root {}\ninstance {}\n", root.display(), state.instance);
                    for (folder, generation) in &state.generations {
                        out += &format!("{generation} {}\n", folder.display());
                    }
                }
                None => out += "unsure\n",
            },
            "status" => {
                let folders = locked(&shared.state).generations.len();
                out += &format!(
                    "pid {}\nroot {}\nfolders {folders}\nstarted {started}\n",
                    std::process::id(),
                    root.display()
                );
            }
            "stop" => {
                shared.stopping.store(true, Ordering::SeqCst);
            }
            _ => out += "unknown request\n",
        }
        out += "end\n";
        let _ = (&stream).write_all(out.as_bytes());
    }

    /// The state once every event queued before this call has been counted:
    /// after the event of a cookie created now; `None` if it did not come in time.
    fn synced<'s>(shared: &'s Shared, cookie: &Path) -> Option<MutexGuard<'s, State>> {
        let name = cookie.file_name()?.to_os_string();
        std::fs::File::create(cookie).ok()?;
        let deadline = Instant::now() + COOKIE_TIMEOUT;
        let mut state = locked(&shared.state);
        let seen = loop {
            if state.cookies.remove(&name) {
                break true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break false;
            }
            state = shared
                .cookie_seen
                .wait_timeout(state, left)
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .0;
        };
        let _ = std::fs::remove_file(cookie);
        seen.then_some(state)
    }

    #[cfg(target_os = "linux")]
    mod watcher {
        use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask};
        use std::collections::HashMap;
        use std::path::{Path, PathBuf};
        use std::sync::atomic::Ordering;

        use super::{Shared, State, locked};

        /// How deep record folders lie below the store: a kind, a year, a month.
        const RECORD_FOLDER_DEPTH: usize = 3;

        /// Every event that can change what a folder lists or a file holds.
        fn folder_mask() -> WatchMask {
            WatchMask::MODIFY
                | WatchMask::ATTRIB
                | WatchMask::CLOSE_WRITE
                | WatchMask::CREATE
                | WatchMask::DELETE
                | WatchMask::MOVED_FROM
                | WatchMask::MOVED_TO
                | WatchMask::DELETE_SELF
                | WatchMask::MOVE_SELF
                | WatchMask::ONLYDIR
                | WatchMask::DONT_FOLLOW
                | WatchMask::EXCL_UNLINK
        }

        pub(super) struct Watcher {
            inotify: Inotify,
            root: PathBuf,
            /// The store's device: a folder mounted from elsewhere is not watched.
            device: u64,
            cookies: PathBuf,
            cookie_watch: WatchDescriptor,
            folders: HashMap<WatchDescriptor, PathBuf>,
        }

        impl Watcher {
            /// Watches the cookie folder, then every folder of the store, under a
            /// new instance.
            pub(super) fn start(
                root: &Path,
                cookies: &Path,
                state: &mut State,
            ) -> std::io::Result<Watcher> {
                use std::os::unix::fs::MetadataExt;
                refuse_remote(root)?;
                let device = std::fs::metadata(root)?.dev();
                let inotify = Inotify::init()?;
                let cookie_watch = inotify
                    .watches()
                    .add(cookies, WatchMask::CREATE | WatchMask::ONLYDIR)?;
                let mut watcher = Watcher {
                    inotify,
                    root: root.to_path_buf(),
                    device,
                    cookies: cookies.to_path_buf(),
                    cookie_watch,
                    folders: HashMap::new(),
                };
                state.instance = new_instance(state.instance);
                state.generations.clear();
                watcher.watch_tree(Path::new(""), state)?;
                Ok(watcher)
            }

            /// Watches `rel` and the folders below it, down to the depth of
            /// record folders (`interactions/2026/11`): no read lists a deeper
            /// one, and a tree a teammate pushed, however deep, costs no more
            /// watches or recursion than that. The watch comes first, so a
            /// folder made meanwhile is seen either by the listing or as an event.
            fn watch_tree(&mut self, rel: &Path, state: &mut State) -> std::io::Result<()> {
                if rel.components().count() > RECORD_FOLDER_DEPTH {
                    return Ok(());
                }
                let abs = self.root.join(rel);
                let watch = match self.inotify.watches().add(&abs, folder_mask()) {
                    Ok(watch) => watch,
                    // Gone already, or not ours to read: not watched, so never vouched for.
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied
                        ) || e.raw_os_error() == Some(libc::ENOTDIR) =>
                    {
                        return Ok(());
                    }
                    Err(e) => return Err(e),
                };
                self.folders.insert(watch, rel.to_path_buf());
                state.tick += 1;
                state.generations.insert(rel.to_path_buf(), state.tick);
                let Ok(entries) = std::fs::read_dir(&abs) else {
                    return Ok(());
                };
                for entry in entries.flatten() {
                    use std::os::unix::fs::MetadataExt;
                    let name = entry.file_name();
                    let is_dir = entry.file_type().is_ok_and(|t| t.is_dir())
                        && entry.metadata().is_ok_and(|m| m.dev() == self.device);
                    // A name the answer's lines cannot carry is not watched.
                    let plain = name.to_str().is_some_and(|n| !n.contains(['\n', '\r']));
                    if is_dir && plain && !(rel.as_os_str().is_empty() && name == ".git") {
                        self.watch_tree(&rel.join(name), state)?;
                    }
                }
                Ok(())
            }

            /// Counts events until the daemon stops.
            pub(super) fn run(&mut self, shared: &Shared) {
                let mut buffer = vec![0u8; 64 * 1024];
                while !shared.stopping.load(Ordering::SeqCst) {
                    let mut restart = false;
                    let events = match self.inotify.read_events_blocking(&mut buffer) {
                        Ok(events) => events,
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                        Err(_) => {
                            shared.stopping.store(true, Ordering::SeqCst);
                            break;
                        }
                    };
                    let mut state = locked(&shared.state);
                    let mut cookie_seen = false;
                    let mut new_folders = Vec::new();
                    for event in events {
                        if event.mask.contains(EventMask::Q_OVERFLOW) {
                            restart = true;
                            continue;
                        }
                        if event.wd == self.cookie_watch {
                            if event.mask.contains(EventMask::IGNORED) {
                                shared.stopping.store(true, Ordering::SeqCst);
                            } else if let Some(name) = event.name {
                                state.cookies.insert(name.to_os_string());
                                cookie_seen = true;
                            }
                            continue;
                        }
                        let Some(rel) = self.folders.get(&event.wd).cloned() else {
                            continue;
                        };
                        state.tick += 1;
                        let tick = state.tick;
                        if let Some(generation) = state.generations.get_mut(&rel) {
                            *generation = tick;
                        }
                        let at_root = rel.as_os_str().is_empty();
                        if event.mask.contains(EventMask::IGNORED) {
                            self.folders.remove(&event.wd);
                            state.generations.remove(&rel);
                            if at_root {
                                shared.stopping.store(true, Ordering::SeqCst);
                            }
                        } else if event.mask.contains(EventMask::MOVE_SELF) {
                            // Every path below a renamed folder is wrong: start over
                            // (the store itself renamed: stop, its clients look elsewhere).
                            if at_root {
                                shared.stopping.store(true, Ordering::SeqCst);
                            }
                            restart = true;
                        } else if event
                            .mask
                            .intersects(EventMask::CREATE | EventMask::MOVED_TO)
                            && let Some(name) = event.name
                        {
                            if event.mask.contains(EventMask::ISDIR) {
                                new_folders.push(rel.join(name));
                            } else if self.has_other_links(&rel.join(name)) {
                                // A second name for a file: writes through either
                                // make events in one folder only. Every folder is
                                // listed again, which sees the links.
                                restart = true;
                            }
                        }
                    }
                    for folder in new_folders {
                        if self.watch_tree(&folder, &mut state).is_err() {
                            restart = true;
                        }
                    }
                    if restart && !shared.stopping.load(Ordering::SeqCst) {
                        match Watcher::start(&self.root.clone(), &self.cookies.clone(), &mut state)
                        {
                            Ok(fresh) => *self = fresh,
                            Err(_) => shared.stopping.store(true, Ordering::SeqCst),
                        }
                    }
                    drop(state);
                    if cookie_seen {
                        shared.cookie_seen.notify_all();
                    }
                }
                // Questions waiting on a cookie are answered unsure at once.
                shared.cookie_seen.notify_all();
            }
        }

        impl Watcher {
            fn has_other_links(&self, rel: &Path) -> bool {
                use std::os::unix::fs::MetadataExt;
                std::fs::symlink_metadata(self.root.join(rel))
                    .is_ok_and(|m| m.is_file() && m.nlink() > 1)
            }
        }

        /// Refuses a store on a network or user-space file system: another
        /// machine's changes to it make no event here.
        fn refuse_remote(root: &Path) -> std::io::Result<()> {
            use std::os::unix::ffi::OsStrExt;
            let path = std::ffi::CString::new(root.as_os_str().as_bytes())?;
            // SAFETY: `statfs` fills the zeroed struct it is given, from a
            // NUL-terminated path that outlives the call.
            let mut info: libc::statfs = unsafe { std::mem::zeroed() };
            if unsafe { libc::statfs(path.as_ptr(), &mut info) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The magic numbers of statfs(2): NFS, SMB, CIFS, SMB2, FUSE, 9p, Ceph, AFS, Coda.
            let remote: &[(i64, &str)] = &[
                (0x6969, "NFS"),
                (0x517b, "SMB"),
                (0xff53_4d42, "CIFS"),
                (0xfe53_4d42, "SMB2"),
                (0x6573_5546, "FUSE"),
                (0x0102_1997, "9p"),
                (0x00c3_6400, "Ceph"),
                (0x5346_414f, "AFS"),
                (0x7375_7245, "Coda"),
            ];
            #[allow(clippy::unnecessary_cast)]
            let kind = info.f_type as i64;
            match remote.iter().find(|(magic, _)| *magic == kind) {
                Some((_, name)) => Err(std::io::Error::other(format!(
                    "the store is on a {name} file system, whose changes from other machines make no event here"
                ))),
                None => Ok(()),
            }
        }

        /// An instance unlike `previous` and unlike any other daemon's.
        fn new_instance(previous: u64) -> u64 {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos() as u64);
            let instance = nanos ^ (u64::from(std::process::id()) << 40);
            // 0 stands for none in the cache's segments.
            if instance == previous || instance == 0 {
                previous.wrapping_add(1).max(1)
            } else {
                instance
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    mod watcher {
        use std::path::Path;

        use super::{Shared, State};

        /// inotify is Linux's: elsewhere the monitor does not start.
        pub(super) struct Watcher;

        impl Watcher {
            pub(super) fn start(_: &Path, _: &Path, _: &mut State) -> std::io::Result<Watcher> {
                Err(std::io::Error::new(
                    std::io::ErrorKind::Unsupported,
                    "the monitor needs Linux's inotify",
                ))
            }

            pub(super) fn run(&mut self, _: &Shared) {}
        }
    }
}

/// Elsewhere than on unix, no monitor: every read looks at the files.
#[cfg(not(unix))]
mod elsewhere {
    use std::path::Path;

    use super::{Answer, Status};
    use crate::error::{Error, Result};

    pub(crate) fn ask(_: &Path, _: &Path) -> Answer {
        Answer::Unsure
    }

    pub(crate) fn status(_: &Path) -> Option<Status> {
        None
    }

    pub(crate) fn stop(_: &Path) -> bool {
        false
    }

    pub(crate) fn spawn(_: &Path, _: &Path) -> Result<()> {
        Ok(())
    }

    pub(crate) fn serve(_: &Path, _: &Path) -> Result<()> {
        Err(Error::failed("the monitor needs a unix system"))
    }
}

#[cfg(not(unix))]
use elsewhere::{ask, serve, spawn, status, stop};

impl super::Store {
    /// What the monitor vouches for now, if this clone uses it and it answers.
    /// A monitor wanted but not running is started (once per command, when
    /// the CLI gave relate's program); this read looks at the files meanwhile.
    pub(crate) fn vouch(&self) -> Option<Vouch> {
        if !self.monitored {
            return None;
        }
        let git = self.git.as_ref()?;
        let root = self.root.canonicalize().ok()?;
        match ask(git.git_dir(), &root) {
            Answer::Vouch(vouch) => Some(vouch),
            Answer::Absent => {
                if let Some(exe) = &self.env.relate_exe
                    && SUPPORTED
                    && failure(git.git_dir()).is_none()
                    && !self.monitor_spawned.replace(true)
                {
                    // Best effort: without it, reads look at every file.
                    let _ = spawn(exe, &self.root);
                }
                None
            }
            Answer::Unsure => None,
        }
    }

    /// The repository of a store the monitor can serve: one at the top of its
    /// repository, whose cache it speaks for.
    fn monitor_git(&self) -> Result<&super::git::Git> {
        match &self.git {
            Some(git) if git.store_is_top() => Ok(git),
            _ => Err(crate::error::Error::failed(
                "the monitor serves a store that is a git repository of its own",
            )
            .with_hint("run `relate init` in a folder of its own, or leave the monitor off")),
        }
    }

    /// Whether this clone's configuration turns the monitor on.
    pub fn monitor_enabled(&self) -> bool {
        self.git
            .as_ref()
            .is_some_and(|git| git.config_bool(CONFIG_KEY))
    }

    /// The running monitor, if one answers.
    pub fn monitor_status(&self) -> Result<Option<Status>> {
        Ok(status(self.monitor_git()?.git_dir()))
    }

    /// Why the last monitor could not start, if it could not (reads start no
    /// other until `relate monitor on`).
    pub fn monitor_failure(&self) -> Option<String> {
        failure(self.git.as_ref()?.git_dir())
    }

    /// Turns the monitor on for this clone (`relate.monitor = true` in its
    /// configuration) and starts it with `relate_exe`, waiting until it answers.
    pub fn monitor_on(&self, relate_exe: &Path) -> Result<Status> {
        let git = self.monitor_git()?;
        if !SUPPORTED {
            return Err(crate::error::Error::failed(
                "the monitor needs Linux's inotify; reads on this system look at every file",
            ));
        }
        git.set_config_bool(CONFIG_KEY, true)?;
        if let Some(running) = status(git.git_dir()) {
            return Ok(running);
        }
        let failed = Paths::of(git.git_dir()).failure;
        let _ = std::fs::remove_file(&failed);
        spawn(relate_exe, &self.root)?;
        let started = std::time::Instant::now();
        while started.elapsed() < START_TIMEOUT {
            std::thread::sleep(Duration::from_millis(20));
            if let Some(running) = status(git.git_dir()) {
                return Ok(running);
            }
            if let Some(why) = failure(git.git_dir()) {
                return Err(crate::error::Error::failed(format!(
                    "the monitor could not start: {why}"
                ))
                .with_hint(format!(
                    "reads look at every file meanwhile; once the cause is mended, run `relate monitor on` again (or `relate monitor off`); {} says the same",
                    failed.display()
                )));
            }
        }
        Err(crate::error::Error::failed(format!(
            "the monitor did not answer within {} s",
            START_TIMEOUT.as_secs()
        ))
        .with_hint(
            "run `relate monitor serve` to see why it stops; reads look at every file meanwhile",
        ))
    }

    /// Turns the monitor off for this clone and stops it; whether one was running.
    pub fn monitor_off(&self) -> Result<bool> {
        let git = self.monitor_git()?;
        git.set_config_bool(CONFIG_KEY, false)?;
        let _ = std::fs::remove_file(Paths::of(git.git_dir()).failure);
        Ok(stop(git.git_dir()))
    }

    /// Runs the monitor in this process until it stops (`relate monitor serve`).
    pub fn serve_monitor(&self) -> Result<()> {
        serve(&self.root, self.monitor_git()?.git_dir())
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::unix::parse_vouch;
    use super::*;
    use std::io::Write;
    use std::time::Instant;

    /// A store's folders, with a file in each, and an empty `.git`.
    fn folders() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("store");
        for folder in [
            "customers",
            "interactions/2026/11/photos/2026",
            ".git/objects",
        ] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::fs::write(root.join("customers/acme.yaml"), "id: acme\n").unwrap();
        std::fs::write(root.join("interactions/2026/11/a.yaml"), "id: a\n").unwrap();
        let root = root.canonicalize().unwrap();
        let git_dir = root.join(".git");
        (dir, root, git_dir)
    }

    fn vouch(git_dir: &Path, root: &Path) -> Vouch {
        let started = Instant::now();
        loop {
            match ask(git_dir, root) {
                Answer::Vouch(vouch) => return vouch,
                _ if started.elapsed() < Duration::from_secs(10) => {
                    std::thread::sleep(Duration::from_millis(10));
                }
                _ => panic!("the monitor did not answer"),
            }
        }
    }

    #[test]
    fn a_folder_keeps_its_generation_until_something_happens_in_it() {
        let (_dir, root, git_dir) = folders();
        assert!(matches!(ask(&git_dir, &root), Answer::Absent));
        let server = {
            let (root, git_dir) = (root.clone(), git_dir.clone());
            std::thread::spawn(move || serve(&root, &git_dir))
        };
        let customers = Path::new("customers");
        let november = Path::new("interactions/2026/11");
        let first = vouch(&git_dir, &root);
        assert!(first.of(customers).is_some() && first.of(november).is_some());
        assert_eq!(first.of(Path::new(".git")), None, "git's own folder");
        let below = Path::new("interactions/2026/11/photos");
        assert_eq!(first.of(below), None, "below the depth of record folders");
        assert_eq!(first.of(Path::new("interactions/2026/12")), None);
        let quiet = vouch(&git_dir, &root);
        assert_eq!(quiet.of(customers), first.of(customers), "nothing happened");

        // Each change is counted before the next question is answered.
        let changes: [(&str, &dyn Fn()); 5] = [
            ("an append", &|| {
                let mut file = std::fs::OpenOptions::new()
                    .append(true)
                    .open(root.join("customers/acme.yaml"))
                    .unwrap();
                file.write_all(b"name: Acme\n").unwrap();
            }),
            ("a new file", &|| {
                std::fs::write(root.join("customers/beta.yaml"), "id: beta\n").unwrap();
            }),
            ("a rename over a file", &|| {
                std::fs::write(root.join("customers/.tmp"), "id: acme\n").unwrap();
                std::fs::rename(
                    root.join("customers/.tmp"),
                    root.join("customers/acme.yaml"),
                )
                .unwrap();
            }),
            ("a changed mode", &|| {
                use std::os::unix::fs::PermissionsExt;
                let path = root.join("customers/beta.yaml");
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
            }),
            ("a removal", &|| {
                std::fs::remove_file(root.join("customers/beta.yaml")).unwrap();
            }),
        ];
        let mut before = quiet;
        for (change, make) in changes {
            make();
            let after = vouch(&git_dir, &root);
            assert_ne!(after.of(customers), before.of(customers), "{change}");
            assert_eq!(after.of(november), before.of(november), "{change}");
            before = after;
        }
        // A folder made after the start is watched, and so are its files.
        std::fs::create_dir_all(root.join("interactions/2026/12")).unwrap();
        let december = Path::new("interactions/2026/12");
        let made = vouch(&git_dir, &root)
            .of(december)
            .expect("the new folder is watched");
        std::fs::write(root.join("interactions/2026/12/b.yaml"), "id: b\n").unwrap();
        assert_ne!(vouch(&git_dir, &root).of(december), Some(made));
        // A renamed folder: every path below it moved, so every folder is new.
        std::fs::rename(
            root.join("interactions/2026/12"),
            root.join("interactions/2026/10"),
        )
        .unwrap();
        let renamed = vouch(&git_dir, &root);
        assert_ne!(renamed.instance, before.instance);
        assert!(renamed.of(Path::new("interactions/2026/10")).is_some());
        assert_eq!(renamed.of(december), None);

        // A second name for a file, made in the store: the daemon starts over,
        // so that every folder is listed again (and seen to hold a linked file).
        std::fs::hard_link(
            root.join("customers/acme.yaml"),
            root.join("interactions/2026/11/acme.yaml"),
        )
        .unwrap();
        assert_ne!(vouch(&git_dir, &root).instance, renamed.instance);

        // One daemon per clone: a second one returns at once.
        assert!(serve(&root, &git_dir).is_ok());
        let status = status(&git_dir).expect("the first one still answers");
        assert_eq!(
            (status.root.as_path(), status.pid),
            (root.as_path(), std::process::id())
        );
        assert_eq!(
            status.folders, 6,
            "the store, two folders, a year, two months"
        );

        assert!(stop(&git_dir));
        server.join().unwrap().unwrap();
        assert!(matches!(ask(&git_dir, &root), Answer::Absent));
        assert!(!git_dir.join("relate/monitor.sock").exists());
        assert!(!stop(&git_dir), "none was running");
    }

    #[test]
    fn a_monitor_of_another_store_vouches_for_nothing() {
        let (_dir, root, git_dir) = folders();
        let lines = [
            "root /elsewhere".to_string(),
            "instance 1".into(),
            "1 customers".into(),
        ];
        assert!(parse_vouch(&lines, &root).is_none());
        let here = [
            format!("root {}", root.display()),
            "instance 1".into(),
            "2 customers".into(),
        ];
        let vouch = parse_vouch(&here, &root).unwrap();
        assert_eq!(vouch.of(Path::new("customers")), Some((1, 2)));
        // A garbled answer is no answer.
        let garbled = [here[0].clone(), "instance x".into()];
        assert!(parse_vouch(&garbled, &root).is_none());
        assert!(matches!(ask(&git_dir, &root), Answer::Absent));
    }
}
