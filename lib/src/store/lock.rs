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
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::io(path, e))?;
    let started = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(StoreLock { _file: file }),
            Err(TryLockError::WouldBlock) if started.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(20));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(Error::failed(format!(
                    "another relate command kept the store locked for {} s",
                    timeout.as_secs()
                ))
                .with_hint(format!(
                    "try again; if no relate command is running, a crashed one left {}: the lock is released with its process, so check for stuck processes, or raise RELATE_LOCK_TIMEOUT (seconds)",
                    path.display()
                )));
            }
            Err(TryLockError::Error(e)) => return Err(Error::io(path, e)),
        }
    }
}
