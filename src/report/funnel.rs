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

use crate::error::{Error, Result};
use crate::model::deal::Outcome;
use crate::model::settings::WON;
use crate::model::values::decimal;
use crate::model::{Dataset, Deal, Settings};

/// A deal as it stood at the end of a day.
pub(crate) struct DealOn<'a> {
    pub deal: &'a Deal,
    /// Its stage moves up to that day, oldest first. A deal without a history
    /// counts as having entered its current stage when it was created.
    moves: Vec<(&'a str, NaiveDate)>,
    /// How and when it closed, if it had closed by then.
    closed: Option<(Outcome, NaiveDate)>,
}

impl<'a> DealOn<'a> {
    /// The deal at the end of `day`; `None` if it did not exist yet.
    pub fn on(deal: &'a Deal, day: NaiveDate) -> Option<Self> {
        if deal.created > day {
            return None;
        }
        let moves = if deal.history.is_empty() {
            vec![(deal.stage.as_str(), deal.created)]
        } else {
            deal.history
                .iter()
                .filter(|m| m.at <= day)
                .map(|m| (m.stage.as_str(), m.at))
                .collect()
        };
        let closed = deal.outcome.and_then(|outcome| {
            let date = deal
                .closed
                .or_else(|| deal.history.last().map(|m| m.at))
                .unwrap_or(deal.created);
            (date <= day).then_some((outcome, date))
        });
        Some(DealOn {
            deal,
            moves,
            closed,
        })
    }

    /// The open pipeline stage the deal was in, if it was open.
    pub fn open_stage(&self, settings: &Settings) -> Option<usize> {
        if self.closed.is_some() {
            return None;
        }
        self.moves
            .iter()
            .rev()
            .find_map(|(stage, _)| settings.stage_index(stage))
    }

    /// The furthest stage reached: an open stage's index, or the number of open
    /// stages for a won deal.
    fn furthest(&self, settings: &Settings) -> Option<usize> {
        if matches!(self.closed, Some((Outcome::Won, _))) {
            return Some(settings.pipeline.len());
        }
        self.moves
            .iter()
            .filter_map(|(stage, _)| settings.stage_index(stage))
            .max()
    }

    /// Completed stays in open stages: (stage index, days until the next move).
    fn stays(&self, settings: &Settings) -> impl Iterator<Item = (usize, i64)> {
        self.moves.windows(2).filter_map(|pair| {
            let stage = settings.stage_index(pair[0].0)?;
            Some((stage, (pair[1].1 - pair[0].1).num_days()))
        })
    }
}

/// One row of the funnel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StageRow {
    pub stage: String,
    /// Deals created in the period that reached this stage or a later one.
    pub reached: usize,
    /// Share of them that reached the next stage (`won` after the last open one).
    pub next_conversion: Option<f64>,
    /// Share of the deals that reached the first stage which reached this one.
    pub cumulative_conversion: Option<f64>,
    /// Deals open in this stage on the as-of date.
    pub open_deals: usize,
    #[serde(with = "decimal")]
    pub open_amount: Decimal,
    /// Open amount x the stage's probability.
    #[serde(with = "decimal")]
    pub weighted_amount: Decimal,
    /// Mean days of the completed stays in the stage.
    pub avg_days_in_stage: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LostReason {
    /// `None` for deals lost without a reason.
    pub reason: Option<String>,
    pub deals: usize,
}

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
}

/// The funnel of one owner (`None`: deals without an owner).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OwnerFunnel {
    pub owner: Option<String>,
    #[serde(flatten)]
    pub funnel: Funnel,
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

/// The funnel over every deal of the dataset.
pub fn funnel(data: &Dataset, period: Period) -> Funnel {
    let deals: Vec<&Deal> = data.deals.iter().collect();
    funnel_of(&data.settings, &deals, period)
}

/// One funnel per owner, owners in id order, deals without an owner last.
pub fn funnel_by_owner(data: &Dataset, period: Period) -> Vec<OwnerFunnel> {
    let mut by_owner: BTreeMap<(bool, Option<&str>), Vec<&Deal>> = BTreeMap::new();
    for deal in &data.deals {
        let owner = deal.owner.as_deref();
        by_owner
            .entry((owner.is_none(), owner))
            .or_default()
            .push(deal);
    }
    by_owner
        .into_iter()
        .map(|((_, owner), deals)| OwnerFunnel {
            owner: owner.map(str::to_string),
            funnel: funnel_of(&data.settings, &deals, period),
        })
        .collect()
}

fn funnel_of(settings: &Settings, deals: &[&Deal], period: Period) -> Funnel {
    let views: Vec<DealOn> = deals
        .iter()
        .filter_map(|deal| DealOn::on(deal, period.as_of))
        .collect();
    let cohort: Vec<&DealOn> = views
        .iter()
        .filter(|view| period.contains(view.deal.created))
        .collect();
    let closed: Vec<(&DealOn, Outcome, NaiveDate)> = views
        .iter()
        .filter_map(|view| view.closed.map(|(outcome, at)| (view, outcome, at)))
        .filter(|(_, _, at)| period.contains(*at))
        .collect();
    Funnel {
        stages: stage_rows(settings, &views, &cohort),
        win_rate: win_rate(&closed),
        avg_cycle_days: mean(
            closed
                .iter()
                .filter(|(_, outcome, _)| *outcome == Outcome::Won)
                .map(|(view, _, at)| (*at - view.deal.created).num_days() as f64),
        ),
        lost_reasons: lost_reasons(&closed),
    }
}

fn stage_rows(settings: &Settings, views: &[DealOn], cohort: &[&DealOn]) -> Vec<StageRow> {
    let open_stages = settings.pipeline.len();
    // reached[k]: deals whose furthest stage is k or later; index `open_stages` is won.
    let mut reached = vec![0usize; open_stages + 1];
    let mut stay_days: Vec<Vec<i64>> = vec![Vec::new(); open_stages];
    for view in cohort {
        if let Some(furthest) = view.furthest(settings) {
            reached[..=furthest]
                .iter_mut()
                .for_each(|count| *count += 1);
        }
        for (stage, days) in view.stays(settings) {
            stay_days[stage].push(days);
        }
    }
    let mut open = vec![(0usize, Decimal::ZERO); open_stages];
    for view in views {
        if let Some(stage) = view.open_stage(settings) {
            open[stage].0 += 1;
            open[stage].1 += view.deal.value();
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
                weighted_amount: open_amount * probability,
                avg_days_in_stage: stay_days
                    .get(k)
                    .and_then(|days| mean(days.iter().map(|&d| d as f64))),
            }
        })
        .collect()
}

fn win_rate(closed: &[(&DealOn, Outcome, NaiveDate)]) -> Option<f64> {
    let won = closed
        .iter()
        .filter(|(_, outcome, _)| *outcome == Outcome::Won)
        .count();
    ratio(won, closed.len())
}

fn lost_reasons(closed: &[(&DealOn, Outcome, NaiveDate)]) -> Vec<LostReason> {
    let mut counts: BTreeMap<Option<&str>, usize> = BTreeMap::new();
    for (view, outcome, _) in closed {
        if *outcome == Outcome::Lost {
            *counts.entry(view.deal.lost_reason.as_deref()).or_default() += 1;
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

/// `part / whole`, or `None` when there is no whole.
pub(crate) fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// The arithmetic mean, or `None` without values.
pub(crate) fn mean(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, count) = values.fold((0.0, 0usize), |(sum, count), v| (sum + v, count + 1));
    (count > 0).then(|| sum / count as f64)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
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
        let period = Period::new(None, day("2026-03-31")).unwrap();
        let f = funnel(&dataset(), period);
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
        let reached: Vec<usize> = f.stages.iter().map(|r| r.reached).collect();
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
        let period = Period::new(Some(day("2026-01-15")), day("2026-02-05")).unwrap();
        let f = funnel(&dataset(), period);
        // Created 01-15..02-05: only d3 (q then p): reached q, n, p = 1; g, won = 0.
        let reached: Vec<usize> = f.stages.iter().map(|r| r.reached).collect();
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
        let period = Period::new(None, day("2026-03-31")).unwrap();
        let owners = funnel_by_owner(&dataset(), period);
        let names: Vec<Option<&str>> = owners.iter().map(|o| o.owner.as_deref()).collect();
        assert_eq!(names, [Some("alice"), Some("bob")]);
        // alice: d1 won, d2 lost -> 1/2; reached q 2, n 2, p 1, g 1, won 1.
        let alice = &owners[0].funnel;
        assert_eq!(alice.win_rate, Some(0.5));
        let reached: Vec<usize> = alice.stages.iter().map(|r| r.reached).collect();
        assert_eq!(reached, [2, 2, 1, 1, 1]);
        // bob: d5 lost (timing), d3 and d4 open -> 0/1; no won deal.
        let bob = &owners[1].funnel;
        assert_eq!(bob.win_rate, Some(0.0));
        assert_eq!(bob.avg_cycle_days, None);
        assert_eq!(bob.lost_reasons[0].reason.as_deref(), Some("timing"));
    }

    #[test]
    fn empty_store_has_zero_counts_and_no_rates() {
        let period = Period::new(None, day("2026-03-31")).unwrap();
        let f = funnel(&Dataset::empty(settings()), period);
        assert_eq!(f.stages.len(), 5);
        assert!(f.stages.iter().all(|r| r.reached == 0
            && r.next_conversion.is_none()
            && r.cumulative_conversion.is_none()));
        assert_eq!((f.win_rate, f.avg_cycle_days), (None, None));
        assert!(f.lost_reasons.is_empty());
    }

    #[test]
    fn since_after_as_of_is_a_usage_error() {
        let error = Period::new(Some(day("2026-04-01")), day("2026-03-31")).unwrap_err();
        assert_eq!(error.exit_code(), 2);
    }
}
