//! What a failing command prints and how it exits, locked as a whole (stdout,
//! stderr and exit code) by inline snapshots: the error texts and hints of
//! `cli/src/error.rs` are part of the interface scripts and people rely on.

use crate::common::{Run, TestEnv};

/// The whole outcome of a run, as a reviewer reads it.
fn shown(run: Run) -> String {
    format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}",
        run.code, run.stdout, run.stderr
    )
}

/// A store with a deal won, a ticket resolved and a campaign launched.
fn busy() -> TestEnv {
    let env = TestEnv::with_basics();
    env.created(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Printers",
        "--line",
        "printer:2",
    ]);
    env.run(&["deal", "win", "acme-corp-printers"]).ok();
    env.created(&["ticket", "open", "acme-corp", "--subject", "Jam"]);
    env.run(&["ticket", "resolve", "acme-corp-jam"]).ok();
    env.created(&[
        "campaign",
        "new",
        "Winter",
        "--channel",
        "email",
        "--where",
        "orders.count >= 1",
    ]);
    env.run(&["campaign", "launch", "winter"]).ok();
    env
}

#[test]
fn an_unknown_customer_is_not_found() {
    let env = TestEnv::with_basics();
    insta::assert_snapshot!(shown(env.run(&["log", "acme-crop", "--channel", "phone", "--summary", "x"])), @r#"
        exit 3
        --- stdout
        --- stderr
        error: no customer `acme-crop`
        hint: did you mean `acme-corp`?
        "#);
}

#[test]
fn a_closed_deal_does_not_move() {
    let env = busy();
    insta::assert_snapshot!(shown(env.run(&["deal", "advance", "acme-corp-printers"])), @r#"
        exit 1
        --- stdout
        --- stderr
        error: deal `acme-corp-printers` is already closed as won
        hint: a closed deal does not move; open a new one with `relate deal new acme-corp`
        "#);
}

#[test]
fn an_unknown_stage_is_a_usage_error() {
    let env = TestEnv::with_basics();
    env.created(&["deal", "new", "acme-corp", "--title", "Toner"]);
    insta::assert_snapshot!(shown(env.run(&["deal", "advance", "acme-corp-toner", "--to", "closing"])), @r#"
        exit 2
        --- stdout
        --- stderr
        error: unknown stage `closing`
        hint: the pipeline is: qualification, needs_analysis, proposal, negotiation, won, lost
        "#);
}

#[test]
fn the_last_open_stage_points_to_win_and_lose() {
    let env = TestEnv::with_basics();
    env.created(&[
        "deal",
        "new",
        "acme-corp",
        "--title",
        "Toner",
        "--stage",
        "negotiation",
    ]);
    insta::assert_snapshot!(shown(env.run(&["deal", "advance", "acme-corp-toner"])), @r#"
        exit 1
        --- stdout
        --- stderr
        error: `negotiation` is the last open stage
        hint: close the deal with `relate deal win acme-corp-toner` or `relate deal lose acme-corp-toner --reason ...`
        "#);
}

#[test]
fn a_resolved_ticket_is_not_resolved_again() {
    let env = busy();
    insta::assert_snapshot!(shown(env.run(&["ticket", "resolve", "acme-corp-jam"])), @r#"
        exit 1
        --- stdout
        --- stderr
        error: ticket `acme-corp-jam` is already resolved
        hint: to work on it again, `relate ticket reopen acme-corp-jam`
        "#);
}

#[test]
fn a_resolved_ticket_is_not_updated() {
    let env = busy();
    insta::assert_snapshot!(shown(env.run(&["ticket", "update", "acme-corp-jam", "--note", "more"])), @r#"
        exit 1
        --- stdout
        --- stderr
        error: ticket `acme-corp-jam` is resolved
        hint: reopen it first with `relate ticket reopen acme-corp-jam`
        "#);
}

#[test]
fn a_launched_campaign_is_frozen() {
    let env = busy();
    insta::assert_snapshot!(shown(env.run(&["campaign", "launch", "winter"])), @r#"
        exit 1
        --- stdout
        --- stderr
        error: campaign `winter` was launched on 2026-11-22
        hint: its members are frozen; plan a new campaign with `relate campaign new`
        "#);
}

#[test]
fn a_taken_customer_id_points_to_set() {
    let env = TestEnv::with_basics();
    insta::assert_snapshot!(shown(env.run(&["customer", "add", "Acme", "--id", "acme-corp"])), @r#"
        exit 1
        --- stdout
        --- stderr
        error: customer `acme-corp` already exists
        hint: change it with `relate customer set acme-corp FIELD=VALUE`
        "#);
}

#[test]
fn a_shared_email_points_to_its_holder() {
    let env = TestEnv::with_basics();
    insta::assert_snapshot!(shown(env.run(&["customer", "add", "Acme Two", "--email", "INFO@acme.example"])), @r#"
        exit 1
        --- stdout
        --- stderr
        error: e-mail `INFO@acme.example` already belongs to customer `acme-corp`
        hint: see `relate customer show acme-corp`
        "#);
}

#[test]
fn a_taken_sku_points_to_the_product() {
    let env = TestEnv::with_basics();
    insta::assert_snapshot!(shown(env.run(&["product", "add", "toner", "--name", "T", "--price", "1"])), @r#"
        exit 1
        --- stdout
        --- stderr
        error: product `toner` already exists
        hint: see it with `relate product show toner`
        "#);
}

#[test]
fn an_order_total_must_match_its_lines() {
    let env = TestEnv::with_basics();
    insta::assert_snapshot!(shown(env.run(&["order", "add", "acme-corp", "--line", "toner:2", "--total", "50"])), @r#"
        exit 2
        --- stdout
        --- stderr
        error: --total 50 does not match the lines, which sum to 39.8
        hint: leave out --total: it is computed from the lines
        "#);
}

#[test]
fn check_lists_problems_on_stdout_and_exits_4() {
    let env = TestEnv::with_basics();
    env.write(
        "customers/acme-corp.yaml",
        "id: acme-corp\nname: Acme Corp\nkind: planet\n",
    );
    insta::assert_snapshot!(shown(env.run(&["check"])), @r#"
        exit 4
        --- stdout
        customers/acme-corp.yaml:3: kind: unknown variant `planet`, expected `person` or `organization` (column 7)
        --- stderr
        "#);
}

#[test]
fn a_report_refuses_an_invalid_record_with_the_file_and_line() {
    let env = TestEnv::with_basics();
    env.write(
        "customers/acme-corp.yaml",
        "id: acme-corp\nname: [unclosed\n",
    );
    insta::assert_snapshot!(shown(env.run(&["customer", "list"])), @r#"
        exit 4
        --- stdout
        --- stderr
        error: customers/acme-corp.yaml:2: name: invalid type: sequence, expected a string (column 7)
        hint: fix the file by hand (or `git checkout` it), then run `relate check`
        "#);
}

#[test]
fn jsonl_is_only_for_export() {
    let env = TestEnv::with_basics();
    insta::assert_snapshot!(shown(env.run(&["--format", "jsonl", "deal", "list"])), @r#"
        exit 2
        --- stdout
        --- stderr
        error: --format jsonl is only for `relate export`
        hint: use --format json
        "#);
}

#[test]
fn outside_a_store_says_how_to_make_one() {
    let env = TestEnv::empty();
    let tmp = env.path().display().to_string();
    let outcome = shown(env.run(&["customer", "list"])).replace(&tmp, "[tmp]");
    insta::assert_snapshot!(outcome, @r#"
        exit 1
        --- stdout
        --- stderr
        error: no relate store at [tmp]/store (it has no relate.yaml)
        hint: create one with `relate init [tmp]/store`, or point --store at an existing store
        "#);
}

#[test]
fn an_id_of_no_kind_is_not_found() {
    let env = TestEnv::with_basics();
    insta::assert_snapshot!(shown(env.run(&["history", "nobody"])), @r#"
        exit 3
        --- stdout
        --- stderr
        error: no record `nobody`
        hint: list them with `relate customer list`, `relate deal list`, ...
        "#);
}

#[test]
fn sync_without_a_remote_says_how_to_add_one() {
    let env = TestEnv::with_basics();
    insta::assert_snapshot!(shown(env.run(&["sync"])), @r#"
        exit 1
        --- stdout
        --- stderr
        error: the store's repository has no remote to sync with
        hint: add one with `git remote add origin URL`, or start from a shared store with `relate clone URL`
        "#);
}

#[test]
fn clone_refuses_an_address_that_git_would_read_as_an_option() {
    let env = TestEnv::empty();
    insta::assert_snapshot!(shown(env.run(&["clone", "--", "--upload-pack=touch", "team"])), @r#"
        exit 2
        --- stdout
        --- stderr
        error: `--upload-pack=touch` is not an address of a store
        hint: give the remote's URL or path, e.g. `relate clone git@host:team/crm.git`
        "#);
}

#[test]
fn resolve_refuses_a_field_without_a_conflict() {
    let env = TestEnv::with_basics();
    insta::assert_snapshot!(shown(env.run(&["resolve", "acme-corp", "region", "--take", "EU"])), @r#"
        exit 3
        --- stdout
        --- stderr
        error: customer `acme-corp` has no recorded conflict on `region`
        hint: it has no recorded conflicts; `relate conflicts` lists them all
        "#);
}

#[test]
fn undo_refuses_over_a_hand_edit() {
    let env = TestEnv::with_basics();
    env.write("products/toner.yaml", "id: toner\nname: Toner\nprice: 1\n");
    insta::assert_snapshot!(shown(env.run(&["undo"])), @r#"
        exit 1
        --- stdout
        --- stderr
        error: products/toner.yaml has changes that are not committed
        hint: commit them (`relate sync` does) or drop them with `git checkout FILE`, then undo again
        "#);
}
