//! `relate report clv`, the `clv.*` filter fields and agenda's likely_lost
//! items on a generated store. The model's figures are checked by hand in the
//! library's unit tests; here: the JSON shape (locked by structs that deny
//! unknown fields), the histories as the models see them, the hold-out's
//! counts, determinism, and the failures with their exit codes.

use serde::Deserialize;
use std::collections::BTreeSet;

use crate::common::TestEnv;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Report {
    params: Params,
    customers: Vec<Customer>,
    summary: Summary,
    #[serde(default)]
    holdout: Option<Holdout>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Params {
    period: String,
    r: f64,
    alpha: f64,
    a: f64,
    b: f64,
    bg_nbd_log_likelihood: f64,
    customers: u64,
    p: f64,
    q: f64,
    v: f64,
    gamma_gamma_log_likelihood: f64,
    repeaters: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct Customer {
    customer: String,
    frequency: u64,
    recency: f64,
    age: f64,
    p_alive: f64,
    expected_purchases: f64,
    expected_spend: f64,
    clv: f64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Summary {
    fitted_to: String,
    horizon_days: u32,
    discount: f64,
    customers: u64,
    p_alive: Option<f64>,
    expected_purchases: f64,
    clv: f64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Holdout {
    days: u32,
    from: String,
    to: String,
    customers: u64,
    predicted: f64,
    actual: u64,
    mean_absolute_error: Option<f64>,
    correlation: Option<f64>,
    weeks: Vec<Week>,
    per_customer: Vec<HoldoutCustomer>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Week {
    week: u32,
    from: String,
    predicted: f64,
    actual: u64,
    cumulative_predicted: f64,
    cumulative_actual: u64,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct HoldoutCustomer {
    customer: String,
    predicted: f64,
    actual: u64,
}

/// Uniform draws in [0, 1) from a fixed 64-bit LCG (Knuth's MMIX constants).
struct Draws(u64);

impl Draws {
    fn next(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The fixture's customers.
const CUSTOMERS: u64 = 60;

/// The purchase days of customer `i` (days after 2026-01-01, up to the as-of
/// date, day 325) with each day's value, drawn as the BG/NBD story goes:
/// the first purchase in the first 90 days, then gaps exponential with a rate
/// of the customer's own (0.005 to 0.085 a day, rounded up to whole days), a
/// dropout after each repeat purchase with the customer's own probability (0
/// to 0.6), each purchase worth the customer's own mean (20 to 120) times 0.5 to 1.5.
fn purchases(i: u64) -> Vec<(u64, u64)> {
    let mut draw = Draws(i + 1);
    draw.next();
    let mut day = (draw.next() * 90.0) as u64;
    let rate = 0.005 + 0.08 * draw.next().powi(2);
    let dropout = 0.6 * draw.next().powi(2);
    let mean = 20.0 + 100.0 * draw.next();
    let value = |draw: &mut Draws| (mean * (0.5 + draw.next())).round() as u64;
    let mut days = vec![(day, value(&mut draw))];
    loop {
        day += (-(1.0 - draw.next()).ln() / rate).ceil().max(1.0) as u64;
        if day > 325 {
            return days;
        }
        days.push((day, value(&mut draw)));
        if draw.next() < dropout {
            return days;
        }
    }
}

fn date(day: u64) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(day)
}

/// 60 customers c00..c59 with the orders of [`purchases`]; c01's first
/// purchase day has a second order of 5 (one purchase of their sum).
fn store() -> TestEnv {
    let env = TestEnv::new();
    for i in 0..CUSTOMERS {
        let id = format!("c{i:02}");
        env.write(
            &format!("customers/{id}.yaml"),
            &format!("id: {id}\nname: C{i:02}\nkind: person\n"),
        );
        let mut orders: Vec<(u64, u64)> = purchases(i);
        if i == 1 {
            orders.push((orders[0].0, 5));
        }
        for (n, (day, total)) in orders.into_iter().enumerate() {
            let day = date(day);
            let order = format!("{}t0000{n:02}-{id}", day.format("%Y%m%d"));
            env.write(
                &format!("orders/{}/{order}.yaml", day.format("%Y/%m")),
                &format!("id: {order}\ncustomer: {id}\nat: {day}T00:00:{n:02}Z\ntotal: {total}\n"),
            );
        }
    }
    env
}

const AS_OF: &str = "2026-11-22";

#[test]
fn report_clv_fits_every_customer_with_their_history_in_the_models_terms() {
    let env = store();
    let args = ["report", "clv", "--as-of", AS_OF, "--format", "json"];
    let report: Report = env.json(&args);
    assert_eq!(report.params.period, "week");
    assert_eq!(
        (report.params.customers, report.customers.len()),
        (CUSTOMERS, CUSTOMERS as usize)
    );
    let repeaters = (0..CUSTOMERS).filter(|i| purchases(*i).len() > 1).count();
    assert_eq!(report.params.repeaters, repeaters as u64);
    for value in [
        report.params.r,
        report.params.alpha,
        report.params.a,
        report.params.b,
    ] {
        assert!(value > 0.0 && value.is_finite());
    }
    // x: purchase days after the first; t_x and T in weeks, to the as-of
    // date (day 325); c01's two orders on their first day are one purchase.
    let history = |i: u64, unit: f64| {
        let days = purchases(i);
        let (first, last) = (days[0].0, days[days.len() - 1].0);
        (
            days.len() as u64 - 1,
            (last - first) as f64 / unit,
            (325 - first) as f64 / unit,
        )
    };
    for c in &report.customers {
        let i: u64 = c.customer[1..].parse().unwrap();
        assert_eq!((c.frequency, c.recency, c.age), history(i, 7.0), "{c:?}");
    }
    for c in &report.customers {
        assert!((0.0..=1.0).contains(&c.p_alive), "{c:?}");
        assert!(c.expected_purchases >= 0.0, "{c:?}");
    }
    // Highest CLV first.
    let clv: Vec<f64> = report.customers.iter().map(|c| c.clv).collect();
    assert!(clv.windows(2).all(|w| w[0] >= w[1]), "{clv:?}");
    assert_eq!(report.summary.customers, CUSTOMERS);
    assert_eq!(report.summary.horizon_days, 365);
    // The same store and flags give the same figures, to the last digit.
    assert_eq!(env.run(&args).ok(), env.run(&args).ok());
    // Days change the unit of recency and age, not the counts.
    let days: Report = env.json(&[&args[..], &["--period", "day"]].concat());
    let c01 = days.customers.iter().find(|c| c.customer == "c01").unwrap();
    assert_eq!((c01.frequency, c01.recency, c01.age), history(1, 1.0));
    // ... and alpha, a rate's scale, by 7; the rest of the model and every
    // prediction stay, up to the optimiser's tolerance.
    let near = |a: f64, b: f64| (a - b).abs() <= 1e-4 * (1.0 + b.abs());
    let (w, d) = (&report.params, &days.params);
    assert!(near(d.alpha, 7.0 * w.alpha), "{w:?} {d:?}");
    assert!(
        near(d.r, w.r) && near(d.a, w.a) && near(d.b, w.b),
        "{w:?} {d:?}"
    );
    for (w, d) in report.customers.iter().zip(&days.customers) {
        assert_eq!(w.customer, d.customer);
        assert!(near(w.p_alive, d.p_alive) && near(w.expected_purchases, d.expected_purchases));
    }
    // Other formats print the sections; csv the customers.
    let csv = env
        .run(&["report", "clv", "--as-of", AS_OF, "--format", "csv"])
        .ok();
    assert!(csv.starts_with(
        "customer,frequency,recency,age,p_alive,expected_purchases,expected_spend,clv\n"
    ));
    let params = env
        .run(&[
            "report",
            "clv",
            "--as-of",
            AS_OF,
            "--section",
            "params",
            "--format",
            "csv",
        ])
        .ok();
    assert!(
        params.starts_with("figure,value\nperiod,week\nr,"),
        "{params}"
    );
}

#[test]
fn the_filter_fields_select_by_the_report_figures() {
    let env = store();
    let report: Report = env.json(&["report", "clv", "--as-of", AS_OF, "--format", "json"]);
    let fading: BTreeSet<&str> = report
        .customers
        .iter()
        .filter(|c| c.p_alive < 0.5)
        .map(|c| c.customer.as_str())
        .collect();
    assert!(
        !fading.is_empty() && fading.len() < CUSTOMERS as usize,
        "{fading:?}"
    );
    let selected: Report = env.json(&[
        "report",
        "clv",
        "--as-of",
        AS_OF,
        "--where",
        "clv.p_alive < 0.5",
        "--format",
        "json",
    ]);
    let ids: BTreeSet<&str> = selected
        .customers
        .iter()
        .map(|c| c.customer.as_str())
        .collect();
    assert_eq!(ids, fading);
    // The fit is over every customer: the filter only picks the rows.
    assert_eq!(selected.params, report.params);
    let valuable: BTreeSet<String> = report
        .customers
        .iter()
        .filter(|c| c.clv >= 50.0 && c.expected_purchases > 0.5)
        .map(|c| c.customer.clone())
        .collect();
    let list: Vec<serde_json::Value> = env.json(&[
        "customer",
        "list",
        "--where",
        "clv.value >= 50 and clv.expected_purchases > 0.5",
        "--format",
        "json",
    ]);
    let listed: BTreeSet<String> = list
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(listed, valuable);
}

#[test]
fn a_holdout_compares_predictions_with_the_purchases_made() {
    let env = store();
    let report: Report = env.json(&[
        "report",
        "clv",
        "--as-of",
        AS_OF,
        "--holdout",
        "91",
        "--format",
        "json",
    ]);
    // Fitted to 2026-11-22 - 91 days = 2026-08-23, day 234 of the fixture.
    assert_eq!(report.summary.fitted_to, "2026-08-23");
    let holdout = report.holdout.unwrap();
    assert_eq!(
        (holdout.from.as_str(), holdout.to.as_str()),
        ("2026-08-24", AS_OF)
    );
    // Every customer bought before the hold-out; the purchase days after day 234.
    let after = |i: u64| purchases(i).iter().filter(|(day, _)| *day > 234).count() as u64;
    let actual: u64 = (0..CUSTOMERS).map(after).sum();
    assert!(actual > 0);
    assert_eq!((holdout.customers, holdout.actual), (CUSTOMERS, actual));
    assert_eq!(holdout.weeks.len(), 13);
    assert_eq!(holdout.weeks[12].cumulative_actual, actual);
    let weekly: u64 = holdout.weeks.iter().map(|w| w.actual).sum();
    assert_eq!(weekly, actual);
    let predicted: f64 = holdout.per_customer.iter().map(|c| c.predicted).sum();
    assert!((predicted - holdout.predicted).abs() < 1e-9);
    assert!((holdout.weeks[12].cumulative_predicted - holdout.predicted).abs() < 1e-9);
    let mae = holdout
        .per_customer
        .iter()
        .map(|c| (c.predicted - c.actual as f64).abs())
        .sum::<f64>()
        / CUSTOMERS as f64;
    assert!((holdout.mean_absolute_error.unwrap() - mae).abs() < 1e-12);
    for c in &holdout.per_customer {
        assert_eq!(c.actual, after(c.customer[1..].parse().unwrap()), "{c:?}");
    }
}

#[test]
fn too_few_repeat_customers_or_bad_flags_fail_with_their_exit_codes() {
    let env = TestEnv::with_basics();
    env.run(&["order", "add", "acme-corp", "--line", "printer:1"])
        .ok();
    let stderr = env.run(&["report", "clv"]).fails(1);
    assert!(
        stderr.contains(
            "0 customers have a repeat purchase of positive value; the models need at least 10"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("hint:"), "{stderr}");
    let stderr = env.run(&["report", "clv", "--period", "month"]).fails(2);
    assert!(stderr.contains("month"), "{stderr}");
    env.run(&["report", "clv", "--holdout", "0"]).fails(2);
    env.run(&["report", "clv", "--discount", "-0.1"]).fails(2);
    env.run(&["customer", "list", "--where", "clv.p_alive < x"])
        .fails(2);
    // Without a fit, the clv fields are missing: `!=` selects everyone.
    let all: Vec<serde_json::Value> = env.json(&[
        "customer",
        "list",
        "--where",
        "clv.p_alive != 2",
        "--format",
        "json",
    ]);
    assert_eq!(all.len(), 2);
    let none: Vec<serde_json::Value> = env.json(&[
        "customer",
        "list",
        "--where",
        "clv.p_alive < 2",
        "--format",
        "json",
    ]);
    assert!(none.is_empty());
}

/// The agenda runs on the harness's clock (2026-11-22): a customer is likely
/// lost when their P(alive) is below `agenda.p_alive_threshold` today and was
/// not on 2026-11-15. The threshold is put between a falling customer's two
/// values, so exactly the customers who crossed it are listed.
#[test]
fn agenda_lists_the_customers_whose_p_alive_fell_below_the_threshold() {
    let env = store();
    let p_alive = |as_of: &str| -> std::collections::BTreeMap<String, f64> {
        let report: Report = env.json(&["report", "clv", "--as-of", as_of]);
        report
            .customers
            .into_iter()
            .map(|c| (c.customer, c.p_alive))
            .collect()
    };
    let (now, then) = (p_alive(AS_OF), p_alive("2026-11-15"));
    let (_, falling, threshold) = now
        .iter()
        .map(|(id, p)| (then[id] - p, id, (p + then[id]) / 2.0))
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .unwrap();
    let threshold = (threshold * 1e6).round() / 1e6;
    let settings = env.read("relate.yaml").replace(
        "p_alive_threshold: 0.3",
        &format!("p_alive_threshold: {threshold}"),
    );
    env.write("relate.yaml", &settings);
    let crossed: BTreeSet<&str> = now
        .iter()
        .filter(|(id, p)| **p < threshold && then[*id] >= threshold)
        .map(|(id, _)| id.as_str())
        .collect();
    assert!(crossed.contains(falling.as_str()), "{crossed:?}");
    // The items' shape is locked in agenda.rs.
    let items: Vec<serde_json::Value> = env.json(&["agenda"]);
    let lost: Vec<&serde_json::Value> = items
        .iter()
        .filter(|i| i["kind"] == "likely_lost")
        .collect();
    let listed: BTreeSet<&str> = lost
        .iter()
        .map(|i| i["customer"].as_str().unwrap())
        .collect();
    assert_eq!(listed, crossed);
    assert_eq!(lost[0]["due"], AS_OF);
    let what = lost[0]["what"].as_str().unwrap();
    assert!(
        what.starts_with(&format!("P(alive) fell below {threshold} to ")),
        "{what}"
    );
    // 0 turns the rule off.
    env.write(
        "relate.yaml",
        &settings.replace(
            &format!("p_alive_threshold: {threshold}"),
            "p_alive_threshold: 0",
        ),
    );
    let items: Vec<serde_json::Value> = env.json(&["agenda"]);
    assert!(items.iter().all(|i| i["kind"] != "likely_lost"));
}

/// The files of the fits the store remembers.
fn remembered_fits(env: &TestEnv) -> Vec<std::path::PathBuf> {
    let dir = env.store().join(".git/relate/fits");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map(|entries| entries.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn fits_are_remembered_under_git_and_a_damaged_one_is_fitted_again() {
    let env = store();
    let report = |cache: &str| {
        let output = (env.command())
            .env("RELATE_CACHE", cache)
            .args(["report", "clv", "--as-of", AS_OF, "--format", "json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let afresh = report("off");
    assert_eq!(
        remembered_fits(&env),
        Vec::<std::path::PathBuf>::new(),
        "the cache off keeps none"
    );
    assert_eq!(report("on"), afresh);
    let fits = remembered_fits(&env);
    assert_eq!(fits.len(), 2, "BG/NBD and Gamma-Gamma: {fits:?}");
    let kept: Vec<Vec<u8>> = fits.iter().map(|f| std::fs::read(f).unwrap()).collect();
    let stamps = || -> Vec<(u64, std::time::SystemTime)> {
        use std::os::unix::fs::MetadataExt;
        let stamp = |m: std::fs::Metadata| (m.ino(), m.modified().unwrap());
        fits.iter()
            .map(|f| stamp(std::fs::metadata(f).unwrap()))
            .collect()
    };
    let before = stamps();
    assert_eq!(report("on"), afresh, "recalled");
    assert_eq!(stamps(), before, "recalled, not searched and written again");
    for fit in &fits {
        let mut bytes = std::fs::read(fit).unwrap();
        let middle = bytes.len() / 2;
        bytes[middle] ^= 0x40;
        std::fs::write(fit, bytes).unwrap();
    }
    assert_eq!(report("on"), afresh, "damaged fits are fitted again");
    let again: Vec<Vec<u8>> = fits.iter().map(|f| std::fs::read(f).unwrap()).collect();
    assert_eq!(again, kept, "and kept again");
    // Another as-of date is another fit.
    env.run(&["report", "clv", "--as-of", "2026-11-15", "--format", "json"])
        .ok();
    assert_eq!(remembered_fits(&env).len(), 4);
}
