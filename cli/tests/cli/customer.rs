use serde::Deserialize;

use crate::common::TestEnv;

/// The JSON shape of `customer list --format json`: every field a script may rely on.
/// A record as in its file: unset optional fields are absent, not `null`
/// (docs/cli.md), so a missing key is a `None` here, not an error.
#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // fields exist to lock the shape
struct CustomerJson {
    id: String,
    name: String,
    kind: String,
    company: Option<String>,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    phones: Vec<String>,
    owner: Option<String>,
    stage: Option<String>,
    source: Option<String>,
    created: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    gender: Option<String>,
    birth_year: Option<i32>,
    income: Option<f64>,
    purpose: Option<String>,
    payment_method: Option<String>,
    region: Option<String>,
    #[serde(default)]
    fields: serde_json::Map<String, serde_json::Value>,
}

#[test]
fn add_prints_the_id_writes_the_file_and_commits() {
    let env = TestEnv::new();
    let out = env
        .run(&[
            "customer",
            "add",
            "Acme Corp",
            "--email",
            "info@acme.example",
            "--phone",
            "+49 30 1234",
            "--tag",
            "vip",
            "--set",
            "region=EU",
            "--set",
            "fields.industry=retail",
            "--set",
            "fields.employees=250",
        ])
        .ok();
    assert_eq!(out, "acme-corp\n");
    assert_eq!(
        env.read("customers/acme-corp.yaml"),
        "id: acme-corp\nname: Acme Corp\nkind: organization\nemails:\n- info@acme.example\nphones:\n- +49 30 1234\n\
         created: 2026-11-22\ntags:\n- vip\nregion: EU\nfields:\n  employees: 250\n  industry: retail\n"
    );
    assert_eq!(env.commits()[0], "customer add: acme-corp");
    assert_eq!(env.last_commit_files(), ["customers/acme-corp.yaml"]);
    assert!(!env.is_dirty());
}

#[test]
fn slugs_are_unique_and_transliterated() {
    let env = TestEnv::new();
    assert_eq!(
        env.run(&["customer", "add", "Acme Corp"]).ok(),
        "acme-corp\n"
    );
    let second = env.run(&["customer", "add", "ACME corp."]);
    assert_eq!(
        second.stderr,
        "note: `acme-corp` is taken (see `relate customer show acme-corp`); the new customer is `acme-corp-2`\n"
    );
    assert_eq!(second.ok(), "acme-corp-2\n");
    let ids = env.run(&["customer", "list", "--format", "csv"]).ok();
    let ids: Vec<&str> = ids
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(ids, ["acme-corp", "acme-corp-2"], "listed by id");
    assert_eq!(
        env.run(&["customer", "add", "Jürgen Müller", "--company", "acme-corp"])
            .ok(),
        "jurgen-muller\n"
    );
    assert_eq!(env.yaml("customers/jurgen-muller.yaml")["kind"], "person");
}

#[test]
fn bad_ids_are_refused_before_any_path_is_built() {
    let env = TestEnv::new();
    for bad in ["../evil", "a/b", "UPPER", ""] {
        let stderr = env.run(&["customer", "add", "X", "--id", bad]).fails(2);
        assert!(stderr.contains("not a valid id"), "{bad}: {stderr}");
        let stderr = env.run(&["customer", "show", bad]).fails(2);
        assert!(stderr.contains("not a valid id"), "{bad}: {stderr}");
    }
    assert!(!env.path().join("evil.yaml").exists());
    assert_eq!(env.commits().len(), 1);
}

#[test]
fn a_shared_email_is_refused() {
    let env = TestEnv::with_basics();
    let stderr = env
        .run(&[
            "customer",
            "add",
            "Acme Again",
            "--email",
            "INFO@acme.example",
        ])
        .fails(1);
    assert!(
        stderr.contains("already belongs to customer `acme-corp`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: see `relate customer show acme-corp`"),
        "{stderr}"
    );
    assert!(!env.store().join("customers/acme-again.yaml").exists());
}

#[test]
fn set_changes_fields_lists_and_custom_facts() {
    let env = TestEnv::with_basics();
    env.run(&[
        "customer",
        "set",
        "acme-corp",
        "tags=a, b",
        "tags+=c",
        "tags-=a",
        "stage=customer",
        "income=1250000.50",
        "fields.industry=retail",
        "emails+=sales@acme.example",
    ])
    .ok();
    let yaml = env.yaml("customers/acme-corp.yaml");
    assert_eq!(
        yaml["tags"],
        serde_yaml::from_str::<serde_yaml::Value>("[b, c]").unwrap()
    );
    assert_eq!(yaml["stage"], "customer");
    assert_eq!(yaml["income"].as_f64(), Some(1250000.5));
    assert_eq!(yaml["fields"]["industry"], "retail");
    assert_eq!(yaml["emails"][1], "sales@acme.example");
    assert_eq!(
        env.commits()[0],
        "customer set: acme-corp tags, tags, tags, stage, income, fields.industry, emails"
    );

    env.run(&[
        "customer",
        "set",
        "acme-corp",
        "fields.industry=",
        "income=",
    ])
    .ok();
    let yaml = env.yaml("customers/acme-corp.yaml");
    assert!(
        yaml.get("fields").is_none() && yaml.get("income").is_none(),
        "{yaml:?}"
    );
}

#[test]
fn set_refuses_unknown_fields_bad_values_and_unknown_customers() {
    let env = TestEnv::with_basics();
    let before = env.read("customers/acme-corp.yaml");
    let stderr = env
        .run(&["customer", "set", "acme-corp", "emial=x@y.z"])
        .fails(2);
    assert!(
        stderr.contains("unknown customer field `emial`: did you mean `emails`?"),
        "{stderr}"
    );
    let stderr = env
        .run(&["customer", "set", "acme-corp", "stage=vip"])
        .fails(2);
    assert!(
        stderr.contains("use one of lead, prospect, customer, former"),
        "{stderr}"
    );
    let stderr = env
        .run(&["customer", "set", "acme-corp", "created=22.11.2026"])
        .fails(2);
    assert!(stderr.contains("use YYYY-MM-DD"), "{stderr}");
    let stderr = env
        .run(&["customer", "set", "acme-corp", "region=EU", "tags-=none"])
        .fails(2);
    assert!(stderr.contains("does not contain `none`"), "{stderr}");
    assert_eq!(
        env.read("customers/acme-corp.yaml"),
        before,
        "nothing written"
    );

    let stderr = env
        .run(&["customer", "set", "acme-crop", "region=EU"])
        .fails(3);
    assert!(
        stderr.contains("error: no customer `acme-crop`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: did you mean `acme-corp`?"),
        "{stderr}"
    );
}

#[test]
fn list_in_every_format() {
    let env = TestEnv::with_basics();
    let json = env.run(&["customer", "list", "--format", "json"]).ok();
    let customers: Vec<CustomerJson> = serde_json::from_str(&json).unwrap();
    let ids: Vec<&str> = customers.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["acme-corp", "ana-lima"]);
    assert_eq!(customers[1].company.as_deref(), Some("acme-corp"));

    let csv = env.run(&["customer", "list", "--format", "csv"]).ok();
    assert_eq!(
        csv,
        "id,name,kind,stage,owner,region,emails,tags\n\
         acme-corp,Acme Corp,organization,,,,info@acme.example,\n\
         ana-lima,Ana Lima,person,,,,ana@example.com,\n"
    );
    let table = env.run(&["customer", "list"]).ok();
    let lines: Vec<&str> = table.lines().collect();
    assert!(
        lines[0].starts_with("id") && lines[0].contains("name"),
        "{table}"
    );
    assert!(
        lines[1].starts_with("acme-corp") && lines[1].contains("Acme Corp"),
        "{table}"
    );

    env.run(&["customer", "set", "ana-lima", "tags=vip", "stage=lead"])
        .ok();
    let only = env
        .run(&[
            "customer", "list", "--tag", "vip", "--stage", "lead", "--format", "csv",
        ])
        .ok();
    assert_eq!(only.lines().count(), 2, "{only}");
    assert!(only.contains("ana-lima"));
}

#[test]
fn show_gives_the_whole_picture() {
    let env = TestEnv::with_basics();
    env.run(&[
        "log",
        "acme-corp",
        "--channel",
        "phone",
        "--summary",
        "Intro call",
        "--at",
        "2026-11-01T09:00:00Z",
    ])
    .ok();
    env.run(&[
        "order",
        "add",
        "acme-corp",
        "--line",
        "toner:3",
        "--at",
        "2026-11-02",
    ])
    .ok();
    env.run(&[
        "order",
        "add",
        "acme-corp",
        "--total",
        "100",
        "--at",
        "2026-11-03",
    ])
    .ok();
    env.run(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Printers",
        "--line",
        "printer:2",
    ])
    .ok();

    let json: serde_json::Value = serde_json::from_str(
        &env.run(&["customer", "show", "acme-corp", "--format", "json"])
            .ok(),
    )
    .unwrap();
    // 3 x 19.90 = 59.70, plus 100 = 159.70; the open deal is 2 x 499 = 998.
    assert_eq!(
        json["totals"],
        serde_json::json!({
            "orders": 2, "revenue": 159.7, "first_order": "2026-11-02T00:00:00Z",
            "last_order": "2026-11-03T00:00:00Z", "interactions": 1,
            "last_contact": "2026-11-01T09:00:00Z", "open_deals": 1, "open_amount": 998
        })
    );
    assert_eq!(json["customer"]["id"], "acme-corp");
    assert_eq!(json["orders"][0]["total"], 100, "newest first");
    assert_eq!(json["open_deals"][0]["id"], "acme-corp-printers");
    assert_eq!(json["interactions"][0]["summary"], "Intro call");

    let table = env.run(&["customer", "show", "acme-corp"]).ok();
    for expected in [
        "revenue",
        "159.7",
        "Recent interactions:",
        "Intro call",
        "Open deals:",
        "Recent orders:",
    ] {
        assert!(table.contains(expected), "{expected} missing in\n{table}");
    }
}

#[test]
fn malformed_yaml_in_the_store_is_exit_4_with_file_and_line() {
    let env = TestEnv::with_basics();
    env.write(
        "customers/acme-corp.yaml",
        "id: acme-corp\nname: Acme\nkind: organization\nemails: [a@b\n",
    );
    let stderr = env.run(&["customer", "list"]).fails(4);
    assert!(
        stderr.starts_with("error: customers/acme-corp.yaml:"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: fix the file by hand"), "{stderr}");
}

pub(crate) fn editor_script(env: &TestEnv, body: &str) -> String {
    let path = env.path().join("editor.sh");
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&path)
        .status()
        .unwrap();
    path.display().to_string()
}

/// `relate customer edit acme-corp` with `editor` as $EDITOR, no input.
fn edit_acme(env: &TestEnv, editor: &str) -> std::process::Output {
    env.command()
        .env("EDITOR", editor)
        .args(["customer", "edit", "acme-corp"])
        .output()
        .unwrap()
}

#[test]
fn edit_keeps_a_valid_result_and_commits() {
    let env = TestEnv::with_basics();
    let editor = editor_script(
        &env,
        r#"sed -i 's/^name: Acme Corp$/name: Acme Corporation/' "$1""#,
    );
    let out = edit_acme(&env, &editor);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        env.yaml("customers/acme-corp.yaml")["name"],
        "Acme Corporation"
    );
    assert_eq!(env.commits()[0], "customer edit: acme-corp");
}

#[test]
fn edit_reopens_on_an_invalid_result_and_gives_up_on_no() {
    let env = TestEnv::with_basics();
    let before = env.read("customers/acme-corp.yaml");
    // First pass breaks the kind; the second (after "y") fixes it.
    let counter = env.path().join("count");
    let editor = editor_script(
        &env,
        &format!(
            r#"if [ -e {c} ]; then sed -i 's/^kind: .*/kind: person/' "$1"; else touch {c}; sed -i 's/^kind: .*/kind: robot/' "$1"; fi"#,
            c = counter.display()
        ),
    );
    let out = env
        .command()
        .env("EDITOR", &editor)
        .args(["customer", "edit", "acme-corp"])
        .write_stdin("y\n")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("unknown variant `robot`"), "{stderr}");
    assert_eq!(env.yaml("customers/acme-corp.yaml")["kind"], "person");

    std::fs::remove_file(&counter).unwrap();
    env.run(&["customer", "set", "acme-corp", "kind=organization"])
        .ok();
    let commits = env.commits().len();
    let out = env
        .command()
        .env("EDITOR", &editor)
        .args(["customer", "edit", "acme-corp"])
        .write_stdin("n\n")
        .output()
        .unwrap();
    // Given up on invalid data: the data error's exit code, 4.
    assert_eq!(out.status.code(), Some(4));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: customers/acme-corp.yaml:")
            && stderr.contains("unknown variant `robot`"),
        "{stderr}"
    );
    assert!(
        stderr.ends_with("hint: edit abandoned; nothing changed\n"),
        "{stderr}"
    );
    assert_eq!(env.read("customers/acme-corp.yaml"), before);
    assert_eq!(env.commits().len(), commits);
}

#[test]
fn set_and_edit_repair_a_customer_that_reports_refuse() {
    let env = TestEnv::with_basics();
    // A teammate's hand edit: a blank region, which validation refuses.
    let text = env.read("customers/acme-corp.yaml");
    env.write("customers/acme-corp.yaml", &format!("{text}region: ''\n"));
    env.git(&["commit", "-qam", "hand edit"]);
    let stderr = env.run(&["customer", "show", "acme-corp"]).fails(4);
    assert!(
        stderr.starts_with("error: customers/acme-corp.yaml:"),
        "{stderr}"
    );

    env.run(&["customer", "set", "acme-corp", "region=EU"]).ok();
    assert_eq!(env.yaml("customers/acme-corp.yaml")["region"], "EU");
    assert_eq!(env.commits()[0], "customer set: acme-corp region");
    env.run(&["customer", "show", "acme-corp"]).ok();

    env.write("customers/acme-corp.yaml", &format!("{text}region: ''\n"));
    env.git(&["commit", "-qam", "hand edit again"]);
    let editor = editor_script(&env, r#"sed -i "s/^region: ''/region: US/" "$1""#);
    let out = edit_acme(&env, &editor);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(env.yaml("customers/acme-corp.yaml")["region"], "US");
    assert_eq!(env.commits()[0], "customer edit: acme-corp");
}
