//! The store lock: writers on one machine (two shells, a cron job) take turns.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// Held while a write is under way; released when dropped (or the process ends).
#[derive(Debug)]
pub struct StoreLock {
    _file: File,
}

/// Takes the lock at `path`, waiting up to `timeout` for another writer to finish.
pub fn acquire(path: &Path, timeout: Duration) -> Result<StoreLock> {
    let started = Instant::now();
    loop {
        match try_acquire(path)? {
            Some(lock) => return Ok(lock),
            None if started.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(20));
            }
            None => {
                return Err(Error::failed(format!(
                    "another relate command kept the store locked for {} s",
                    timeout.as_secs()
                ))
                .with_hint(format!(
                    "try again; if no relate command is running, a crashed one left {}: the lock is released with its process, so check for stuck processes, or raise RELATE_LOCK_TIMEOUT (seconds)",
                    path.display()
                )));
            }
        }
    }
}

/// Takes the lock at `path` if no one holds it; `None` when another command does.
pub fn try_acquire(path: &Path) -> Result<Option<StoreLock>> {
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    match file.try_lock() {
        Ok(()) => Ok(Some(StoreLock { _file: file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(Error::io(path, e)),
    }
}
