use crate::common::TestEnv;

#[test]
fn product_add_list_and_show() {
    let env = TestEnv::with_basics();
    assert_eq!(
        env.read("products/toner.yaml"),
        "id: toner\nname: Toner A4\nprice: 19.9\ncost: 8\n"
    );
    assert_eq!(env.commits()[0], "product add: toner (Toner A4)");
    let csv = env.run(&["product", "list", "--format", "csv"]).ok();
    assert_eq!(
        csv,
        "id,name,category,price,cost,segment\nprinter,Printer X,,499.00,300.00,standard\ntoner,Toner A4,,19.90,8.00,budget\n"
    );
    let json: serde_json::Value = serde_json::from_str(
        &env.run(&["product", "show", "toner", "--format", "json"])
            .ok(),
    )
    .unwrap();
    assert_eq!(
        json,
        serde_json::json!({"id": "toner", "name": "Toner A4", "price": 19.9, "cost": 8})
    );

    let stderr = env
        .run(&["product", "add", "toner", "--name", "Again", "--price", "1"])
        .fails(1);
    assert!(stderr.contains("already exists"), "{stderr}");
    let stderr = env
        .run(&["product", "add", "ink", "--name", "Ink", "--price=-1"])
        .fails(2);
    assert!(stderr.contains("is negative"), "{stderr}");
    let stderr = env
        .run(&[
            "product",
            "add",
            "ink",
            "--name",
            "Ink",
            "--price",
            "1",
            "--segment",
            "luxury",
        ])
        .fails(2);
    assert!(
        stderr.contains("unknown price segment `luxury`"),
        "{stderr}"
    );
    assert!(!env.store().join("products/ink.yaml").exists());
}

#[test]
fn order_total_is_computed_exactly_from_the_lines() {
    let env = TestEnv::with_basics();
    let id = env
        .run(&[
            "order",
            "add",
            "ana-lima",
            "--line",
            "toner:3",
            "--line",
            "printer:1:450.10",
            "--at",
            "2026-05-04",
            "--payment",
            "card",
            "--channel",
            "web",
        ])
        .ok();
    let id = id.trim();
    assert!(id.starts_with("20260504t000000-"), "{id}");
    // 3 x 19.90 + 1 x 450.10 = 59.70 + 450.10 = 509.80
    assert_eq!(
        env.read(&format!("orders/2026/05/{id}.yaml")),
        format!(
            "id: {id}\ncustomer: ana-lima\nat: 2026-05-04T00:00:00Z\nlines:\n- product: toner\n  quantity: 3\n  price: 19.9\n\
             - product: printer\n  quantity: 1\n  price: 450.1\ntotal: 509.8\npayment_method: card\nchannel: web\n"
        )
    );
    assert_eq!(env.commits()[0], format!("order add: {id} for ana-lima"));
    let csv = env.run(&["order", "list", "--format", "csv"]).ok();
    assert_eq!(
        csv,
        format!(
            "id,at,customer,lines,total,payment_method,channel\n{id},2026-05-04T00:00:00Z,ana-lima,2,509.80,card,web\n"
        )
    );
}

#[test]
fn order_without_lines_needs_a_total_and_bad_orders_write_nothing() {
    let env = TestEnv::with_basics();
    let commits = env.commits().len();
    let cases: [(&[&str], i32, &str); 6] = [
        (&["order", "add", "acme-corp"], 2, "needs lines"),
        (
            &["order", "add", "acme-corp", "--line", "toner:-1"],
            2,
            "must be more than 0",
        ),
        (
            &[
                "order",
                "add",
                "acme-corp",
                "--line",
                "toner:1",
                "--total",
                "5",
            ],
            2,
            "does not match the lines",
        ),
        (
            &["order", "add", "acme-corp", "--line", "inkjet:1"],
            3,
            "no product `inkjet`",
        ),
        (
            &["order", "add", "nobody", "--total", "5"],
            3,
            "no customer `nobody`",
        ),
        (
            &[
                "order",
                "add",
                "acme-corp",
                "--total",
                "5",
                "--at",
                "2026-02-30",
            ],
            2,
            "not a date-time",
        ),
    ];
    for (args, code, message) in cases {
        let stderr = env.run(args).fails(code);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
    }
    assert!(!env.store().join("orders/2026").exists());
    assert_eq!(env.commits().len(), commits);

    let id = env
        .run(&["order", "add", "acme-corp", "--total", "75.5"])
        .ok();
    let order = env.yaml(&format!("orders/2026/11/{}.yaml", id.trim()));
    assert_eq!(order["total"].as_f64(), Some(75.5));
    assert!(order.get("lines").is_none());
}

/// Runs `relate ARGS` in bash with its output piped into `reader`; returns
/// relate's exit code and what it printed on stderr.
fn run_piped(env: &TestEnv, args: &str, reader: &str) -> (Option<i32>, String) {
    let script = format!(
        "{} {args} | {reader}; exit ${{PIPESTATUS[0]}}",
        assert_cmd::cargo::cargo_bin("relate").display()
    );
    let out = std::process::Command::new("bash")
        .arg("-c")
        .arg(script)
        .env("RELATE_STORE", env.store())
        .env("RELATE_NOW", crate::common::NOW)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

#[test]
fn a_broken_pipe_is_not_an_error() {
    let env = TestEnv::with_basics();
    // 2000 orders: every listing below is longer than a pipe's buffer (64 KiB),
    // so relate is still writing when the reader has gone.
    let mut csv = String::from("external_id,customer,at,product\n");
    for i in 0..2000 {
        let (day, hour, minute) = (1 + i / 1440, i / 60 % 24, i % 60);
        csv += &format!("P-{i},acme-corp,2026-01-{day:02}T{hour:02}:{minute:02}:00Z,toner\n");
    }
    env.run_with_stdin(&["import", "orders", "-"], &csv).ok();
    let listing = env.run(&["order", "list", "--format", "csv"]).ok();
    assert!(listing.len() > 64 * 1024, "{}", listing.len());

    let commands = [
        "order list",
        "order list --format csv",
        "order list --format json",
        "order list --format markdown",
        "export orders",
        "export orders --format json",
        "export orders --format jsonl",
    ];
    // A reader that reads a little, and one that closes its end at once.
    for reader in ["head -c 10 >/dev/null", "(exec 0<&-; sleep 0.2)"] {
        for args in commands {
            let (code, stderr) = run_piped(&env, args, reader);
            assert_eq!((code, stderr.as_str()), (Some(0), ""), "{args} | {reader}");
        }
    }
}
