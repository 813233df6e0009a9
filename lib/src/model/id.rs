//! Record ids: readable slugs for named records, time-ordered ids for dated ones.
//!
//! Every id matches `[a-z0-9][a-z0-9-]{0,63}`, which is checked before any path
//! is built from it: an id can never climb out of its folder.

use chrono::{DateTime, FixedOffset, Utc};

pub const MAX_LEN: usize = 64;

/// Whether `id` is a valid record id.
pub fn is_valid(id: &str) -> bool {
    let bytes = id.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= MAX_LEN
        && (bytes[0].is_ascii_lowercase() || bytes[0].is_ascii_digit())
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
}

/// Why `id` is not valid, or `None` when it is.
pub fn invalid_reason(id: &str) -> Option<String> {
    if is_valid(id) {
        None
    } else {
        Some(format!(
            "`{id}` is not a valid id: ids are 1 to {MAX_LEN} characters of a-z, 0-9 and `-`, starting with a letter or digit"
        ))
    }
}

/// A readable slug: `Acme Corp` -> `acme-corp`, `Müller GmbH` -> `muller-gmbh`.
/// Returns `None` when the name has no letters or digits to build one from.
pub fn slugify(name: &str) -> Option<String> {
    let ascii = deunicode::deunicode(name).to_ascii_lowercase();
    let mut slug = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    // Leave room for a `-NN` suffix that makes a taken slug unique.
    slug.truncate(MAX_LEN - 4);
    let slug = slug.trim_end_matches('-').to_string();
    (!slug.is_empty()).then_some(slug)
}

/// The first of `base`, `base-2`, `base-3`, ... that `taken` says is free.
pub fn unique_slug(base: &str, taken: impl Fn(&str) -> bool) -> String {
    if !taken(base) {
        return base.to_string();
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|candidate| !taken(candidate))
        .expect("an unbounded range always yields a free slug")
}

const ALPHABET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// A time-ordered id: the UTC time of `at` and five random base-36 characters,
/// e.g. `20261122t101500-7k3fq`.
pub fn time_ordered(at: &DateTime<FixedOffset>, rng: &mut fastrand::Rng) -> String {
    let stamp = at.with_timezone(&Utc).format("%Y%m%dt%H%M%S");
    let suffix: String = (0..5)
        .map(|_| ALPHABET[rng.usize(..ALPHABET.len())] as char)
        .collect();
    format!("{stamp}-{suffix}")
}

/// The candidate closest to `id`, if one is close enough to be a likely typo or
/// an abbreviation (`acme` -> `acme-corp`): for "did you mean" hints on ids and
/// field names alike.
pub fn suggest<'a>(id: &str, candidates: &'a [String]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| {
            let score = if c.starts_with(id) {
                1.0
            } else {
                strsim::jaro_winkler(id, c)
            };
            (score, c)
        })
        .filter(|(score, _)| *score >= 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity() {
        assert!(is_valid("acme-corp"));
        assert!(is_valid("20261122t101500-7k3fq"));
        for bad in ["", "../x", "a/b", "Acme", "-a", ".", "a b", &"a".repeat(65)] {
            assert!(!is_valid(bad), "{bad:?} should be invalid");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("Acme Corp").as_deref(), Some("acme-corp"));
        assert_eq!(
            slugify("  Müller & Söhne GmbH ").as_deref(),
            Some("muller-sohne-gmbh")
        );
        assert_eq!(slugify("!!!"), None);
        assert!(slugify(&"x".repeat(200)).unwrap().len() <= MAX_LEN - 4);
        assert_eq!(unique_slug("a", |s| s == "a" || s == "a-2"), "a-3");
    }

    #[test]
    fn time_ordered_ids_are_valid_and_sortable() {
        let at = DateTime::parse_from_rfc3339("2026-11-22T11:15:00+01:00").unwrap();
        let mut rng = fastrand::Rng::with_seed(1);
        let id = time_ordered(&at, &mut rng);
        assert!(id.starts_with("20261122t101500-"), "{id}");
        assert!(is_valid(&id));
    }
}
