//! `report funnel`: how deals move through the pipeline, from their stage histories.
//!
//! A deal *reached* a stage when its history shows it in that stage or a later
//! one (a won deal reached every open stage), so the counts shrink stage by stage
//! even when deals skip stages. The flow figures (reached, conversions, days in
//! stage) are over the deals created in the period; win rate, sales cycle and lost
//! reasons over the deals closed in it; the open columns are the pipeline as it
//! stands on the as-of date. Formulas and sources: docs/analytics.md.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;

use super::{Report, Scope, money, ratio};
use crate::error::{Error, Result};
use crate::model::deal::Outcome;
use crate::model::settings::WON;
use crate::model::values::decimal;
use crate::model::{Deal, Settings};
use crate::output::chart::{Bars, Chart, Series, Unit};
use crate::output::{Cell, Section, Table};

/// One row of the funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    pub stage: String,
    /// Deals created in the period that reached this stage or a later one.
    pub reached: u64,
    /// Share of them that reached the next stage (`won` after the last open one).
    pub next_conversion: Option<f64>,
    /// Share of the deals that reached the first stage which reached this one.
    pub cumulative_conversion: Option<f64>,
    /// Deals open in this stage on the as-of date.
    pub open_deals: u64,
    #[serde(with = "decimal")]
    pub open_amount: Decimal,
    /// Open amount x the stage's probability, in cents.
    #[serde(with = "decimal")]
    pub weighted_amount: Decimal,
    /// Mean days of the completed stays in the stage.
    pub avg_days_in_stage: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostReason {
    /// `None` for deals lost without a reason.
    pub reason: Option<String>,
    pub deals: u64,
}

/// `report funnel`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Funnel {
    /// The open stages in pipeline order, then `won`.
    pub stages: Vec<StageRow>,
    /// won / (won + lost) over the deals closed in the period.
    pub win_rate: Option<f64>,
    /// Mean days from created to closed over the deals won in the period.
    pub avg_cycle_days: Option<f64>,
    /// Reasons of the deals lost in the period, most frequent first.
    pub lost_reasons: Vec<LostReason>,
    /// Open deals in a currency that relate.yaml has no exchange rate for:
    /// counted in their stage's `open_deals`, left out of its amounts.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub other_currencies: Vec<OtherCurrency>,
}

/// The open deals of one currency that the stage amounts leave out.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherCurrency {
    pub currency: String,
    pub open_deals: u64,
    #[serde(with = "decimal")]
    pub open_amount: Decimal,
}

/// The funnel of one owner (`None`: deals without an owner).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerFunnel {
    pub owner: Option<String>,
    #[serde(flatten)]
    pub funnel: Funnel,
}

/// `report funnel --by owner`: one funnel per owner.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct FunnelByOwner {
    pub owners: Vec<OwnerFunnel>,
}

/// The period the flow figures cover: from `since` (or the beginning) to the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub since: Option<NaiveDate>,
    pub as_of: NaiveDate,
}

impl Period {
    pub fn new(since: Option<NaiveDate>, as_of: NaiveDate) -> Result<Period> {
        match since {
            Some(since) if since > as_of => Err(Error::usage(format!(
                "--since {since} is after the as-of date {as_of}"
            ))
            .with_hint("give a --since on or before --as-of")),
            _ => Ok(Period { since, as_of }),
        }
    }

    fn contains(&self, day: NaiveDate) -> bool {
        self.since.is_none_or(|since| day >= since) && day <= self.as_of
    }
}

/// The funnel over the deals of the selected customers, as of the scope's date.
pub fn funnel(scope: &Scope, since: Option<NaiveDate>) -> Result<Funnel> {
    let period = Period::new(since, scope.as_of)?;
    let deals: Vec<&Deal> = scope.deals().collect();
    Ok(funnel_of(&scope.data.settings, &deals, period))
}

/// One funnel per owner, owners in id order, deals without an owner last.
pub fn funnel_by_owner(scope: &Scope, since: Option<NaiveDate>) -> Result<FunnelByOwner> {
    let period = Period::new(since, scope.as_of)?;
    let mut by_owner: BTreeMap<(bool, Option<&str>), Vec<&Deal>> = BTreeMap::new();
    for deal in scope.deals() {
        let owner = deal.owner.as_deref();
        by_owner
            .entry((owner.is_none(), owner))
            .or_default()
            .push(deal);
    }
    let owners = by_owner
        .into_iter()
        .map(|((_, owner), deals)| OwnerFunnel {
            owner: owner.map(str::to_string),
            funnel: funnel_of(&scope.data.settings, &deals, period),
        })
        .collect();
    Ok(FunnelByOwner { owners })
}

/// How and when a deal closed, if it is closed (rewound to the as-of date).
fn closing(deal: &Deal) -> Option<(Outcome, NaiveDate)> {
    let outcome = deal.outcome?;
    // `relate check` requires `closed`; without it, the last move is the close.
    let date = deal
        .closed
        .or_else(|| deal.history.last().map(|m| m.at))
        .unwrap_or(deal.created);
    Some((outcome, date))
}

/// The index of the open stage an open deal is in.
fn open_stage(settings: &Settings, deal: &Deal) -> Option<usize> {
    deal.is_open()
        .then(|| settings.stage_index(&deal.stage))
        .flatten()
}

/// The furthest stage a deal reached: an open stage's index from its history or
/// current stage, or the number of open stages for a won deal.
fn furthest(settings: &Settings, deal: &Deal) -> Option<usize> {
    if deal.outcome == Some(Outcome::Won) {
        return Some(settings.pipeline.len());
    }
    deal.history
        .iter()
        .map(|m| m.stage.as_str())
        .chain([deal.stage.as_str()])
        .filter_map(|stage| settings.stage_index(stage))
        .max()
}

/// Completed stays in open stages: (stage index, days until the next move).
fn stays<'a>(settings: &'a Settings, deal: &'a Deal) -> impl Iterator<Item = (usize, i64)> + 'a {
    deal.history.windows(2).filter_map(|pair| {
        let stage = settings.stage_index(&pair[0].stage)?;
        Some((stage, (pair[1].at - pair[0].at).num_days()))
    })
}

fn funnel_of(settings: &Settings, deals: &[&Deal], period: Period) -> Funnel {
    let cohort: Vec<&Deal> = deals
        .iter()
        .copied()
        .filter(|deal| period.contains(deal.created))
        .collect();
    let closed: Vec<(&Deal, Outcome, NaiveDate)> = deals
        .iter()
        .filter_map(|deal| closing(deal).map(|(outcome, at)| (*deal, outcome, at)))
        .filter(|(_, _, at)| period.contains(*at))
        .collect();
    let won = || {
        closed
            .iter()
            .filter(|(_, outcome, _)| *outcome == Outcome::Won)
    };
    Funnel {
        stages: stage_rows(settings, deals, &cohort),
        win_rate: ratio(won().count() as u64, closed.len() as u64),
        avg_cycle_days: mean(won().map(|(deal, _, at)| (*at - deal.created).num_days() as f64)),
        lost_reasons: lost_reasons(&closed),
        other_currencies: other_currencies(settings, deals),
    }
}

/// The open deals whose amounts cannot be summed with the store's currency,
/// per currency.
fn other_currencies(settings: &Settings, deals: &[&Deal]) -> Vec<OtherCurrency> {
    let mut by: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
    for deal in deals {
        if open_stage(settings, deal).is_some() && deal.value_in_store_currency(settings).is_none()
        {
            let code = deal.currency_code();
            let entry = by.entry(code).or_default();
            entry.0 += 1;
            entry.1 += deal.value();
        }
    }
    (by.into_iter())
        .map(|(currency, (open_deals, open_amount))| OtherCurrency {
            currency,
            open_deals,
            open_amount,
        })
        .collect()
}

fn stage_rows(settings: &Settings, deals: &[&Deal], cohort: &[&Deal]) -> Vec<StageRow> {
    let open_stages = settings.pipeline.len();
    // reached[k]: deals whose furthest stage is k or later; index `open_stages` is won.
    let mut reached = vec![0u64; open_stages + 1];
    let mut stay_days: Vec<Vec<i64>> = vec![Vec::new(); open_stages];
    for deal in cohort {
        if let Some(furthest) = furthest(settings, deal) {
            reached[..=furthest]
                .iter_mut()
                .for_each(|count| *count += 1);
        }
        for (stage, days) in stays(settings, deal) {
            stay_days[stage].push(days);
        }
    }
    let mut open = vec![(0u64, Decimal::ZERO); open_stages];
    for deal in deals {
        if let Some(stage) = open_stage(settings, deal) {
            open[stage].0 += 1;
            // In the store's currency; other currencies are listed apart.
            open[stage].1 += deal.value_in_store_currency(settings).unwrap_or_default();
        }
    }
    let names = settings
        .pipeline
        .iter()
        .map(|s| s.stage.as_str())
        .chain([WON]);
    names
        .enumerate()
        .map(|(k, name)| {
            let (open_deals, open_amount) = open.get(k).copied().unwrap_or_default();
            let probability = settings
                .pipeline
                .get(k)
                .map_or(Decimal::ZERO, |s| s.probability);
            StageRow {
                stage: name.to_string(),
                reached: reached[k],
                next_conversion: reached.get(k + 1).and_then(|&next| ratio(next, reached[k])),
                cumulative_conversion: ratio(reached[k], reached[0]),
                open_deals,
                open_amount,
                weighted_amount: money(open_amount * probability),
                avg_days_in_stage: stay_days
                    .get(k)
                    .and_then(|days| mean(days.iter().map(|&d| d as f64))),
            }
        })
        .collect()
}

fn lost_reasons(closed: &[(&Deal, Outcome, NaiveDate)]) -> Vec<LostReason> {
    let mut counts: BTreeMap<Option<&str>, u64> = BTreeMap::new();
    for (deal, outcome, _) in closed {
        if *outcome == Outcome::Lost {
            *counts.entry(deal.lost_reason.as_deref()).or_default() += 1;
        }
    }
    let mut reasons: Vec<LostReason> = counts
        .into_iter()
        .map(|(reason, deals)| LostReason {
            reason: reason.map(str::to_string),
            deals,
        })
        .collect();
    // Most frequent first; among equals, named reasons alphabetically, then none.
    reasons.sort_by(|a, b| {
        b.deals
            .cmp(&a.deals)
            .then_with(|| (a.reason.is_none(), &a.reason).cmp(&(b.reason.is_none(), &b.reason)))
    });
    reasons
}

/// The arithmetic mean, or `None` without values.
fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0u64), |(sum, count), v| (sum + v, count + 1));
    (count > 0).then(|| sum / count as f64)
}

impl Report for Funnel {
    fn title(&self) -> String {
        "Funnel".into()
    }

    fn sections(&self) -> Vec<Section> {
        funnel_sections(&[(None, self)])
    }

    /// The deals that reached each stage, with the conversion to the next.
    fn charts(&self) -> Vec<Chart> {
        let reached = (self.stages.iter())
            .map(|s| Some(s.reached as f64))
            .collect();
        let notes = (self.stages.iter())
            .map(|s| {
                s.next_conversion
                    .map_or(String::new(), |c| format!("{:.0}% on", c * 100.0))
            })
            .collect();
        vec![Chart::Bars(Bars {
            title: "Deals that reached each stage, and the share that went on".into(),
            categories: self.stages.iter().map(|s| s.stage.clone()).collect(),
            bars: vec![Series::new("reached", reached)],
            line: None,
            notes,
            unit: Unit::Count,
            horizontal: false,
        })]
    }
}

impl Report for FunnelByOwner {
    fn title(&self) -> String {
        "Funnel by owner".into()
    }

    fn sections(&self) -> Vec<Section> {
        let funnels: Vec<(Option<Option<&str>>, &Funnel)> = self
            .owners
            .iter()
            .map(|o| (Some(o.owner.as_deref()), &o.funnel))
            .collect();
        funnel_sections(&funnels)
    }
}

/// The stages, summary and lost reasons of one or more funnels; with owners
/// (`Some(owner)`), every table starts with an `owner` column.
fn funnel_sections(funnels: &[(Option<Option<&str>>, &Funnel)]) -> Vec<Section> {
    let by_owner = funnels.iter().any(|(owner, _)| owner.is_some());
    let table = |columns: &[&str]| {
        let mut all = if by_owner { vec!["owner"] } else { vec![] };
        all.extend(columns);
        Table::new(&all)
    };
    let row = |owner: Option<Option<&str>>, cells: Vec<Cell>| -> Vec<Cell> {
        owner.map(Cell::from).into_iter().chain(cells).collect()
    };
    let mut stages = table(&[
        "stage",
        "reached",
        "next_conversion",
        "cumulative_conversion",
        "open_deals",
        "open_amount",
        "weighted_amount",
        "avg_days_in_stage",
    ]);
    let mut summary = table(&["win_rate", "avg_cycle_days"]);
    let mut reasons = table(&["reason", "deals"]);
    let mut others = table(&["currency", "open_deals", "open_amount"]);
    for &(owner, funnel) in funnels {
        for other in &funnel.other_currencies {
            others.push(row(
                owner,
                vec![
                    Cell::text(&other.currency),
                    Cell::Int(other.open_deals as i64),
                    Cell::Money(other.open_amount),
                ],
            ));
        }
        for stage in &funnel.stages {
            stages.push(row(
                owner,
                vec![
                    Cell::text(&stage.stage),
                    Cell::Int(stage.reached as i64),
                    stage.next_conversion.into(),
                    stage.cumulative_conversion.into(),
                    Cell::Int(stage.open_deals as i64),
                    Cell::Money(stage.open_amount),
                    Cell::Money(stage.weighted_amount),
                    stage.avg_days_in_stage.into(),
                ],
            ));
        }
        summary.push(row(
            owner,
            vec![funnel.win_rate.into(), funnel.avg_cycle_days.into()],
        ));
        for reason in &funnel.lost_reasons {
            reasons.push(row(
                owner,
                vec![
                    reason.reason.as_deref().into(),
                    Cell::Int(reason.deals as i64),
                ],
            ));
        }
    }
    let mut sections = vec![
        Section::new("stages", "Stages", stages),
        Section::new("summary", "Win rate and sales cycle", summary),
        Section::new("lost_reasons", "Lost reasons", reasons),
    ];
    if !others.rows.is_empty() {
        sections.push(Section::new(
            "other_currencies",
            "Open deals in currencies without an exchange rate (not in the stage amounts)",
            others,
        ));
    }
    sections
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Dataset;
    use crate::model::deal::StageMove;
    use crate::model::settings::DEFAULT_SETTINGS_YAML;
    use std::str::FromStr;

    pub fn day(text: &str) -> NaiveDate {
        NaiveDate::from_str(text).unwrap()
    }

    /// The default pipeline: qualification 0.1, needs_analysis 0.25, proposal 0.5,
    /// negotiation 0.75 (commit).
    pub fn settings() -> Settings {
        serde_yaml::from_str(DEFAULT_SETTINGS_YAML).unwrap()
    }

    /// A deal with `moves` as its history (the last one is its stage); a final
    /// `won` or `lost` move closes it that day.
    pub fn deal(id: &str, owner: Option<&str>, amount: i64, moves: &[(&str, &str)]) -> Deal {
        let history: Vec<StageMove> = moves
            .iter()
            .map(|(stage, at)| StageMove {
                stage: stage.to_string(),
                at: day(at),
                by: None,
            })
            .collect();
        let last = history.last().unwrap().clone();
        let outcome = match last.stage.as_str() {
            "won" => Some(Outcome::Won),
            "lost" => Some(Outcome::Lost),
            _ => None,
        };
        Deal {
            id: id.into(),
            customer: "acme".into(),
            title: id.into(),
            owner: owner.map(str::to_string),
            amount: Some(Decimal::from(amount)),
            currency: None,
            stage: last.stage.clone(),
            created: history[0].at,
            expected_close: None,
            lines: Vec::new(),
            outcome,
            closed: outcome.map(|_| last.at),
            lost_reason: (outcome == Some(Outcome::Lost)).then(|| "price".to_string()),
            history,
            external_id: None,
            conflicts: Vec::new(),
        }
    }

    /// Five deals (q = qualification, n = needs_analysis, p = proposal, g = negotiation):
    /// - d1 alice 1000: q 01-01, n 01-11, p 01-21, won 02-10
    /// - d2 alice  500: q 01-05, n 01-10, lost 01-20 (price)
    /// - d3 bob    800: q 02-01, p 02-04 (skips n), open in proposal
    /// - d4 bob    200: q 03-01, open in qualification
    /// - d5 bob    400: q 01-02, n 01-03, g 01-09, lost 03-01 (reason: timing)
    pub fn dataset() -> Dataset {
        let mut d5 = deal(
            "d5",
            Some("bob"),
            400,
            &[
                ("qualification", "2026-01-02"),
                ("needs_analysis", "2026-01-03"),
                ("negotiation", "2026-01-09"),
                ("lost", "2026-03-01"),
            ],
        );
        d5.lost_reason = Some("timing".into());
        let mut data = Dataset::empty(settings());
        data.deals = vec![
            deal(
                "d1",
                Some("alice"),
                1000,
                &[
                    ("qualification", "2026-01-01"),
                    ("needs_analysis", "2026-01-11"),
                    ("proposal", "2026-01-21"),
                    ("won", "2026-02-10"),
                ],
            ),
            deal(
                "d2",
                Some("alice"),
                500,
                &[
                    ("qualification", "2026-01-05"),
                    ("needs_analysis", "2026-01-10"),
                    ("lost", "2026-01-20"),
                ],
            ),
            deal(
                "d3",
                Some("bob"),
                800,
                &[("qualification", "2026-02-01"), ("proposal", "2026-02-04")],
            ),
            deal("d4", Some("bob"), 200, &[("qualification", "2026-03-01")]),
            d5,
        ];
        data
    }

    /// The dataset as of `as_of`, all customers.
    pub fn scope_of(data: &Dataset, as_of: NaiveDate) -> (Dataset, NaiveDate) {
        (data.clone().as_of(as_of), as_of)
    }

    fn run(data: &Dataset, since: Option<&str>, as_of: &str) -> Funnel {
        let (data, as_of) = scope_of(data, day(as_of));
        funnel(&Scope::all(&data, as_of), since.map(day)).unwrap()
    }

    fn row(funnel: &Funnel, stage: &str) -> StageRow {
        funnel
            .stages
            .iter()
            .find(|r| r.stage == stage)
            .unwrap()
            .clone()
    }

    #[test]
    fn whole_funnel_by_hand() {
        let f = run(&dataset(), None, "2026-03-31");
        let names: Vec<&str> = f.stages.iter().map(|r| r.stage.as_str()).collect();
        assert_eq!(
            names,
            [
                "qualification",
                "needs_analysis",
                "proposal",
                "negotiation",
                "won"
            ]
        );
        // Furthest stage: d1 won, d2 n, d3 p, d4 q, d5 g.
        // reached q = 5; n = d1,d2,d3,d5 = 4 (d3 skipped n but reached p);
        // p = d1,d3,d5 = 3; g = d1,d5 = 2; won = d1 = 1.
        let reached: Vec<u64> = f.stages.iter().map(|r| r.reached).collect();
        assert_eq!(reached, [5, 4, 3, 2, 1]);
        // next: 4/5 = 0.8, 3/4 = 0.75, 2/3, 1/2 = 0.5, none for won.
        let q = row(&f, "qualification");
        assert_eq!(q.next_conversion, Some(0.8));
        assert_eq!(q.cumulative_conversion, Some(1.0));
        let p = row(&f, "proposal");
        assert_eq!(p.next_conversion, Some(2.0 / 3.0));
        assert_eq!(p.cumulative_conversion, Some(3.0 / 5.0));
        let won = row(&f, "won");
        assert_eq!(won.next_conversion, None);
        assert_eq!(won.cumulative_conversion, Some(0.2)); // 1/5
        assert_eq!(won.avg_days_in_stage, None);

        // Open on 03-31: d3 in proposal (800), d4 in qualification (200).
        assert_eq!((q.open_deals, q.open_amount), (1, Decimal::from(200)));
        assert_eq!(q.weighted_amount, Decimal::from(20)); // 200 x 0.1
        assert_eq!((p.open_deals, p.open_amount), (1, Decimal::from(800)));
        assert_eq!(p.weighted_amount, Decimal::from(400)); // 800 x 0.5
        assert_eq!(row(&f, "negotiation").open_deals, 0);

        // Completed stays in qualification: d1 10 days (01-01..01-11), d2 5, d3 3,
        // d5 1 -> 19 / 4 = 4.75; d4's stay is not over.
        assert_eq!(q.avg_days_in_stage, Some(4.75));
        // needs_analysis: d1 10, d2 10 (to lost), d5 6 -> 26 / 3.
        assert_eq!(
            row(&f, "needs_analysis").avg_days_in_stage,
            Some(26.0 / 3.0)
        );
        // proposal: d1 20 (01-21..02-10); negotiation: d5 51 (01-09..03-01).
        assert_eq!(p.avg_days_in_stage, Some(20.0));
        assert_eq!(row(&f, "negotiation").avg_days_in_stage, Some(51.0));

        // Closed: d1 won, d2 lost, d5 lost -> 1/3. Cycle of d1: 01-01..02-10 = 40 days.
        assert_eq!(f.win_rate, Some(1.0 / 3.0));
        assert_eq!(f.avg_cycle_days, Some(40.0));
        assert_eq!(
            f.lost_reasons,
            [
                LostReason {
                    reason: Some("price".into()),
                    deals: 1
                },
                LostReason {
                    reason: Some("timing".into()),
                    deals: 1
                },
            ]
        );
    }

    #[test]
    fn as_of_date_rewinds_deals_and_since_restricts_the_flow() {
        // On 02-05: d4 does not exist; d5 is still open in negotiation; d1 is in
        // proposal; d3 in proposal; d2 lost 01-20.
        let f = run(&dataset(), Some("2026-01-15"), "2026-02-05");
        // Created 01-15..02-05: only d3 (q then p): reached q, n, p = 1; g, won = 0.
        let reached: Vec<u64> = f.stages.iter().map(|r| r.reached).collect();
        assert_eq!(reached, [1, 1, 1, 0, 0]);
        assert_eq!(row(&f, "proposal").next_conversion, Some(0.0));
        assert_eq!(row(&f, "negotiation").next_conversion, None);
        // Open snapshot on 02-05 covers all deals: proposal d1 + d3 = 1800,
        // negotiation d5 = 400 (weighted 300 = 400 x 0.75).
        let p = row(&f, "proposal");
        assert_eq!((p.open_deals, p.open_amount), (2, Decimal::from(1800)));
        let g = row(&f, "negotiation");
        assert_eq!(g.weighted_amount, Decimal::from(300));
        // d3's only completed stay: qualification 02-01..02-04 = 3 days.
        assert_eq!(row(&f, "qualification").avg_days_in_stage, Some(3.0));
        // Closed 01-15..02-05: d2 lost on 01-20 -> win rate 0, no won cycle.
        assert_eq!(f.win_rate, Some(0.0));
        assert_eq!(f.avg_cycle_days, None);
        assert_eq!(f.lost_reasons.len(), 1);
    }

    #[test]
    fn split_per_owner() {
        let (data, as_of) = scope_of(&dataset(), day("2026-03-31"));
        let owners = funnel_by_owner(&Scope::all(&data, as_of), None)
            .unwrap()
            .owners;
        let names: Vec<Option<&str>> = owners.iter().map(|o| o.owner.as_deref()).collect();
        assert_eq!(names, [Some("alice"), Some("bob")]);
        // alice: d1 won, d2 lost -> 1/2; reached q 2, n 2, p 1, g 1, won 1.
        let alice = &owners[0].funnel;
        assert_eq!(alice.win_rate, Some(0.5));
        let reached: Vec<u64> = alice.stages.iter().map(|r| r.reached).collect();
        assert_eq!(reached, [2, 2, 1, 1, 1]);
        // bob: d5 lost (timing), d3 and d4 open -> 0/1; no won deal.
        let bob = &owners[1].funnel;
        assert_eq!(bob.win_rate, Some(0.0));
        assert_eq!(bob.avg_cycle_days, None);
        assert_eq!(bob.lost_reasons[0].reason.as_deref(), Some("timing"));
    }

    #[test]
    fn empty_store_has_zero_counts_and_no_rates() {
        let f = run(&Dataset::empty(settings()), None, "2026-03-31");
        assert_eq!(f.stages.len(), 5);
        assert!(f.stages.iter().all(|r| r.reached == 0
            && r.next_conversion.is_none()
            && r.cumulative_conversion.is_none()));
        assert_eq!((f.win_rate, f.avg_cycle_days), (None, None));
        assert!(f.lost_reasons.is_empty());
    }

    #[test]
    fn since_after_as_of_is_a_usage_error() {
        let (data, as_of) = scope_of(&dataset(), day("2026-03-31"));
        let error = funnel(&Scope::all(&data, as_of), Some(day("2026-04-01"))).unwrap_err();
        assert!(matches!(error, Error::Usage { .. }), "{error:?}");
    }
}
