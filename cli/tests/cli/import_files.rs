//! Files that are not what an import expects: broken CSV (an unterminated
//! quote, a ragged row, a NUL byte, a column twice, no header at all) and
//! mailboxes or address books with nothing in them. Each is invalid data
//! (exit 4) named by its file and line, and nothing is written.

use crate::common::TestEnv;

/// Imports `bytes` saved as `name` with `relate import KIND`; asserts the
/// import fails with exit 4, says `error: PATH{error}` and what to do next,
/// and leaves the store as it was; returns stderr.
fn rejected(kind: &str, name: &str, bytes: &[u8], extra: &[&str], error: &str) -> String {
    let env = TestEnv::with_basics();
    let files = env.files();
    let commits = env.commits();
    let path = env.path().join(name);
    std::fs::write(&path, bytes).unwrap();
    let path = path.to_string_lossy().into_owned();
    let mut args = vec!["import", kind, path.as_str()];
    args.extend(extra);
    let stderr = env.run(&args).fails(4);
    assert_eq!(env.files(), files, "nothing written: {stderr}");
    assert_eq!(env.commits(), commits, "nothing committed: {stderr}");
    assert!(!env.is_dirty(), "{stderr}");
    assert!(
        stderr.contains("\nhint: "),
        "says what to do next: {stderr}"
    );
    assert!(
        stderr.contains(&format!("error: {path}{error}")),
        "{stderr}"
    );
    stderr
}

#[test]
fn an_unterminated_quote_is_an_error_at_the_line_it_opens() {
    let csv = b"name,email\nBea,bea@x.example\n\"Acme Corp,info@acme.example\nBob,bob@x.example\n";
    for extra in [&[][..], &["--skip-invalid"]] {
        rejected(
            "customers",
            "c.csv",
            csv,
            extra,
            ":3: the quote opened on this line is never closed",
        );
    }
    // One column, so the merged text would fit it: still refused.
    rejected(
        "customers",
        "c.csv",
        b"name\n\"Acme\nBob\n",
        &[],
        ":2: the quote",
    );
}

#[test]
fn a_row_with_more_cells_than_the_header_is_a_bad_row() {
    let ragged = b"name,email\nAcme Corp,info@acme.example\nBob,bob@x.example,Manager\n";
    let extra =
        ":3: the row has 3 cells but the header has 2 columns: quote a cell that holds a `,`";
    let stderr = rejected("customers", "c.csv", ragged, &[], extra);
    assert_eq!(stderr.matches("error: ").count(), 1, "{stderr}");
}

#[test]
fn empty_cells_past_the_header_are_no_problem() {
    let env = TestEnv::new();
    let stderr = env
        .run_with_stdin(
            &["import", "customers", "-"],
            "name,email\nBea,bea@x.example,,\n",
        )
        .stderr;
    assert!(stderr.contains("1 created"), "{stderr}");
    assert_eq!(env.yaml("customers/bea.yaml")["emails"][0], "bea@x.example");
}

#[test]
fn a_nul_byte_is_a_bad_row() {
    let nul = ":2: the row holds a NUL byte: the file is not text (or is UTF-16: save it as UTF-8)";
    rejected("customers", "c.csv", b"name\nAc\0me\n", &[], nul);
    rejected(
        "products",
        "p.csv",
        b"i\0d,name\n",
        &[],
        ":1: the row holds a NUL byte",
    );
}

#[test]
fn a_column_given_twice_is_an_error_at_the_header() {
    let header = b"name,Email,email\nAcme Corp,info@acme.example,sales@acme.example\n";
    let twice = ":1: the columns `Email` (2) and `email` (3) have one name: rename one";
    rejected("customers", "c.csv", header, &["--skip-invalid"], twice);
    let answers = b"Timestamp,Q,Q\n2026-11-02,a,b\n";
    let twice = ":1: the columns `Q` (2) and `Q` (3)";
    rejected(
        "survey",
        "s.csv",
        answers,
        &["--map", "at=Timestamp"],
        twice,
    );
}

#[test]
fn an_empty_csv_file_is_invalid_data_named_by_its_file() {
    let empty = ": the file is empty: it needs a header line";
    for kind in ["customers", "orders", "survey"] {
        rejected(kind, "empty.csv", b"", &[], empty);
    }
    rejected("customers", "blank.csv", b"\xef\xbb\xbf\n\n", &[], empty);
}

/// Bytes no mailbox or address book has: no line break, no `From `, no `BEGIN:`.
const NOISE: &[u8] = b"\x8a\x03\xff\xfe binary \x00\x17 junk \xc3\x28 more junk";

#[test]
fn a_mailbox_without_a_message_is_an_error() {
    let stderr = rejected(
        "mail",
        "random.mbox",
        NOISE,
        &[],
        ": no e-mail message in the file",
    );
    assert!(
        stderr.contains("hint: nothing was imported: an mbox file holds messages"),
        "{stderr}"
    );
    assert!(!stderr.contains("Nothing to change"), "{stderr}");
}

#[test]
fn a_folder_without_eml_files_is_an_error() {
    let env = TestEnv::with_basics();
    let folder = env.path().join("mail");
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("notes.txt"), "not mail").unwrap();
    let commits = env.commits();
    let stderr = env
        .run(&["import", "mail", &folder.to_string_lossy()])
        .fails(4);
    assert!(
        stderr.contains(&format!(
            "error: {}: no e-mail message in the folder",
            folder.display()
        )),
        "{stderr}"
    );
    assert_eq!(env.commits(), commits);
}

#[test]
fn an_address_book_without_a_card_is_an_error() {
    let stderr = rejected(
        "vcard",
        "random.vcf",
        NOISE,
        &[],
        ": no vCard in the file (no BEGIN:VCARD line)",
    );
    assert!(!stderr.contains("Nothing to change"), "{stderr}");
}
