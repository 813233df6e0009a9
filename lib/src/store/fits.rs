//! The fits remembered: the optimum of each model of customer value that a
//! command fitted (`figures::clv::FitMemo`), kept under `.git/relate/fits/`,
//! one file per fit named by the digest of everything the fit is a function
//! of (this build, the machine's arithmetic, every number its likelihood
//! sums), and taken only if the likelihood gives its value again at its point
//! (`figures::clv`), so a remembered fit is the fit searched again; a file that
//! is damaged, of another format or of the wrong shape is passed over and the
//! fit searched. Never committed, never merged; removing the folder costs one
//! search per fit. `RELATE_CACHE=off` turns it off with the record cache.

use std::path::PathBuf;

use crate::figures::clv::FitMemo;

use super::files::write_replacing;
use super::{CacheMode, Store};

const MAGIC: &[u8; 8] = b"relate\0f";

/// The fits kept at most: a few days of agendas (two fits a date), reports
/// with other --as-of dates. The oldest go first.
const KEPT: usize = 64;

/// The bytes of a fit file at most: far more than the mark, key, checksum
/// and the numbers of a fit of a few parameters.
const LARGEST: u64 = 4096;

/// The fits of a store, or nowhere when the cache is off.
pub struct FitFiles {
    dir: Option<PathBuf>,
}

impl Store {
    /// Where this store remembers its fits.
    pub fn fits(&self) -> FitFiles {
        let dir = (self.git.as_ref())
            .filter(|_| self.env.cache == Some(CacheMode::Use))
            .map(|git| git.git_dir().join("relate/fits"));
        FitFiles { dir }
    }
}

fn hex(key: &[u8; 32]) -> String {
    key.iter().map(|b| format!("{b:02x}")).collect()
}

impl FitMemo for FitFiles {
    fn recall(&self, key: &[u8; 32]) -> Option<Vec<f64>> {
        let path = self.dir.as_ref()?.join(hex(key));
        // Only a plain file of a fit's size is read: not a pipe someone put
        // there, nor a link to a device.
        let file = std::fs::symlink_metadata(&path).ok()?;
        (file.is_file() && file.len() <= LARGEST).then_some(())?;
        let bytes = std::fs::read(&path).ok()?;
        let (body, checksum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        let expected = u64::from_le_bytes(checksum.try_into().ok()?);
        if xxhash_rust::xxh3::xxh3_64(body) != expected {
            return None;
        }
        let numbers = body.strip_prefix(MAGIC)?.strip_prefix(key.as_slice())?;
        let words = numbers.chunks_exact(8);
        words.remainder().is_empty().then_some(())?;
        Some(
            words
                .map(|word| f64::from_le_bytes(word.try_into().unwrap_or_default()))
                .collect(),
        )
    }

    fn keep(&self, key: &[u8; 32], numbers: &[f64]) {
        let Some(dir) = &self.dir else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let mut bytes = MAGIC.to_vec();
        bytes.extend_from_slice(key);
        bytes.extend(numbers.iter().flat_map(|n| n.to_le_bytes()));
        let checksum = xxhash_rust::xxh3::xxh3_64(&bytes);
        bytes.extend_from_slice(&checksum.to_le_bytes());
        // A fit that cannot be kept is searched again next time.
        let _ = write_replacing(&dir.join(hex(key)), &bytes, false);
        forget_the_oldest(dir);
    }
}

/// Removes the oldest fits beyond [`KEPT`].
fn forget_the_oldest(dir: &std::path::Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut fits: Vec<(std::time::SystemTime, PathBuf)> = entries
        .filter_map(Result::ok)
        .filter_map(|entry| Some((entry.metadata().ok()?.modified().ok()?, entry.path())))
        .collect();
    if fits.len() <= KEPT {
        return;
    }
    fits.sort();
    for (_, path) in &fits[..fits.len() - KEPT] {
        let _ = std::fs::remove_file(path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(dir: &std::path::Path) -> FitFiles {
        FitFiles {
            dir: Some(dir.join("fits")),
        }
    }

    #[test]
    fn fits_kept_are_recalled_and_damage_is_passed_over() {
        let dir = tempfile::tempdir().unwrap();
        let fits = files(dir.path());
        let key = [7u8; 32];
        assert_eq!(fits.recall(&key), None);
        let numbers = [1.5, 42.0, 1.0, -0.25, f64::MIN_POSITIVE];
        fits.keep(&key, &numbers);
        assert_eq!(fits.recall(&key), Some(numbers.to_vec()));
        assert_eq!(fits.recall(&[8u8; 32]), None, "another key");
        // A file copied under another name is not that name's fit.
        let path = dir.path().join("fits").join(hex(&key));
        std::fs::copy(&path, dir.path().join("fits").join(hex(&[9u8; 32]))).unwrap();
        assert_eq!(fits.recall(&[9u8; 32]), None);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[50] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(fits.recall(&key), None, "damaged");
        std::fs::write(&path, &bytes[..20]).unwrap();
        assert_eq!(fits.recall(&key), None, "truncated");
        assert_eq!(FitFiles { dir: None }.recall(&key), None);
        // A link to something else than a plain file is not followed.
        std::fs::remove_file(&path).unwrap();
        std::os::unix::fs::symlink("/dev/zero", &path).unwrap();
        assert_eq!(fits.recall(&key), None, "a link");
    }

    #[test]
    fn only_the_latest_fits_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let fits = files(dir.path());
        let old = std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000);
        for i in 0..KEPT {
            let key = [i as u8; 32];
            fits.keep(&key, &[i as f64]);
            let file = std::fs::File::options()
                .write(true)
                .open(dir.path().join("fits").join(hex(&key)))
                .unwrap();
            file.set_modified(old + std::time::Duration::from_secs(i as u64))
                .unwrap();
        }
        fits.keep(&[200u8; 32], &[200.0]);
        let kept = std::fs::read_dir(dir.path().join("fits")).unwrap().count();
        assert_eq!(kept, KEPT);
        assert_eq!(fits.recall(&[0u8; 32]), None, "the oldest went");
        assert_eq!(fits.recall(&[1u8; 32]), Some(vec![1.0]));
        assert_eq!(fits.recall(&[200u8; 32]), Some(vec![200.0]));
    }
}
