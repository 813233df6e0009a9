//! A deal: a sales opportunity moving through the pipeline to won or lost.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::assign::{Assign, Assignment, unknown_field};
use super::merge::Conflict;
use super::order::{Line, line_problems};
use super::settings::{LOST, WON};
use super::values::{opt_decimal, parse_date, parse_decimal};
use super::{
    FieldProblem, Kind, Record, Reference, Settings, blank_optional_problems, blank_problem,
    id_problems, owner_problem,
};
use crate::error::Refusal;

keyword_enum! {
    /// How a closed deal ended.
    Outcome "outcome" {
        Won => "won",
        Lost => "lost",
    }
}

/// One move through the pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageMove {
    pub stage: String,
    pub at: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub by: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deal {
    pub id: String,
    /// The record's id in the system it was imported from, so that re-imports update it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    pub customer: String,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    #[serde(default, with = "opt_decimal", skip_serializing_if = "Option::is_none")]
    pub amount: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<String>,
    pub stage: String,
    pub created: NaiveDate,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_close: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<Line>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<StageMove>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_reason: Option<String>,
    /// Values that lost a merge, until `relate resolve` settles them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conflicts: Vec<Conflict>,
}

impl Deal {
    pub fn is_open(&self) -> bool {
        self.outcome.is_none()
    }

    /// Whether the deal was open at the end of `date`: created by then and not yet closed.
    pub fn is_open_on(&self, date: NaiveDate) -> bool {
        self.created <= date && self.closed.is_none_or(|closed| closed > date)
    }

    /// Puts the deal back in the state it had at the end of `date`: moves and a
    /// close after it are undone.
    pub fn rewind_to(&mut self, date: NaiveDate) {
        if self.closed.is_some_and(|closed| closed > date) {
            self.outcome = None;
            self.closed = None;
            self.lost_reason = None;
        }
        let kept = self.history.iter().take_while(|m| m.at <= date).count();
        if kept < self.history.len() {
            // The first history entry is the stage the deal was created in.
            let stage = self.history[..kept].last().or(self.history.first());
            if let Some(stage) = stage {
                self.stage = stage.stage.clone();
            }
            self.history.truncate(kept.max(1));
        }
    }

    /// The deal's amount, or the sum of its lines when it has none, in the
    /// deal's currency.
    pub fn value(&self) -> Decimal {
        self.amount
            .unwrap_or_else(|| super::order::lines_total(&self.lines))
    }

    /// The code of the deal's own currency, upper case (empty when none is named).
    pub fn currency_code(&self) -> String {
        (self.currency.as_deref().unwrap_or_default().trim()).to_ascii_uppercase()
    }

    /// The deal's value in the store's currency: `None` when the deal is in
    /// another currency that relate.yaml gives no exchange rate for.
    pub fn value_in_store_currency(&self, settings: &super::Settings) -> Option<Decimal> {
        settings.in_store_currency(self.value(), self.currency.as_deref())
    }

    fn last_move_date(&self) -> NaiveDate {
        self.history.last().map_or(self.created, |m| m.at)
    }

    fn ensure_open_and_after(&self, at: NaiveDate) -> Result<(), Refusal> {
        if let Some(outcome) = self.outcome {
            return Err(Refusal::DealClosed {
                deal: self.id.clone(),
                customer: self.customer.clone(),
                outcome: outcome.to_string(),
            });
        }
        if at < self.last_move_date() {
            return Err(Refusal::BeforeLastMove {
                at,
                last: self.last_move_date(),
            });
        }
        Ok(())
    }

    /// Moves an open deal forward to `to` (default: the next stage).
    pub fn advance(
        &mut self,
        settings: &Settings,
        to: Option<&str>,
        at: NaiveDate,
        by: Option<String>,
    ) -> Result<(), Refusal> {
        self.ensure_open_and_after(at)?;
        let current =
            settings
                .stage_index(&self.stage)
                .ok_or_else(|| Refusal::StageOutsidePipeline {
                    deal: self.id.clone(),
                    stage: self.stage.clone(),
                })?;
        let target = match to {
            Some(stage) if stage == WON || stage == LOST => {
                return Err(Refusal::AdvanceCloses {
                    deal: self.id.clone(),
                    stage: stage.to_string(),
                });
            }
            Some(stage) => settings
                .stage_index(stage)
                .ok_or_else(|| Refusal::UnknownStage {
                    stage: stage.to_string(),
                })?,
            None => current + 1,
        };
        if target <= current {
            return Err(Refusal::Backward {
                deal: self.id.clone(),
                stage: self.stage.clone(),
                to: to.unwrap_or_default().to_string(),
            });
        }
        let Some(next) = settings.pipeline.get(target) else {
            return Err(Refusal::LastOpenStage {
                deal: self.id.clone(),
                stage: self.stage.clone(),
            });
        };
        self.move_to(next.stage.clone(), at, by);
        Ok(())
    }

    /// Closes the deal as won or lost.
    pub fn close(
        &mut self,
        outcome: Outcome,
        at: NaiveDate,
        by: Option<String>,
        lost_reason: Option<String>,
    ) -> Result<(), Refusal> {
        self.ensure_open_and_after(at)?;
        self.move_to(outcome.to_string(), at, by);
        self.outcome = Some(outcome);
        self.closed = Some(at);
        self.lost_reason = lost_reason;
        Ok(())
    }

    fn move_to(&mut self, stage: String, at: NaiveDate, by: Option<String>) {
        self.history.push(StageMove {
            stage: stage.clone(),
            at,
            by,
        });
        self.stage = stage;
    }
}

impl Assign for Deal {
    const FIELDS: &'static [&'static str] = &[
        "external_id",
        "customer",
        "title",
        "owner",
        "amount",
        "currency",
        "created",
        "expected_close",
        "lost_reason",
    ];

    fn assign(&mut self, a: &Assignment) -> Result<(), String> {
        match a.field.as_str() {
            "external_id" => self.external_id = a.text()?,
            "customer" => self.customer = a.reference()?.ok_or("a deal needs a customer")?,
            "title" => self.title = a.required()?,
            "owner" => self.owner = a.text()?,
            "amount" => self.amount = a.parsed(parse_decimal)?,
            "currency" => self.currency = a.text()?,
            "created" => self.created = a.parsed(parse_date)?.ok_or("a deal needs `created`")?,
            "expected_close" => self.expected_close = a.parsed(parse_date)?,
            "lost_reason" => self.lost_reason = a.text()?,
            field => return Err(unknown_field::<Deal>(field)),
        }
        Ok(())
    }

    fn kept_by(field: &str) -> Option<&'static [&'static str]> {
        match field {
            // The stage moves are the deal's history: only the verbs add to it.
            "stage" | "history" | "outcome" | "closed" => {
                Some(&["deal advance", "deal win", "deal lose"])
            }
            "lines" => Some(&["edit"]),
            _ => None,
        }
    }
}

impl Record for Deal {
    const KIND: Kind = Kind::Deal;

    record_accessors!(customer);

    fn references(&self) -> Vec<Reference<'_>> {
        let lines =
            (self.lines.iter()).map(|line| Reference::new("lines", Kind::Product, &line.product));
        std::iter::once(Reference::new("customer", Kind::Customer, &self.customer))
            .chain(lines)
            .collect()
    }

    fn problems(&self, settings: &Settings) -> Vec<FieldProblem> {
        let mut problems = id_problems(&self.id);
        problems.extend(owner_problem(settings, self.owner.as_deref()));
        problems.extend(blank_optional_problems([
            ("lost_reason", self.lost_reason.as_deref()),
            ("owner", self.owner.as_deref()),
        ]));
        problems.extend(blank_problem("title", &self.title));
        problems.extend(line_problems(&self.lines));
        if !settings.is_known_stage(&self.stage) {
            problems.push(FieldProblem::new(
                "stage",
                format!(
                    "unknown stage `{}`: the pipeline is {}",
                    self.stage,
                    settings.stage_names().join(", ")
                ),
            ));
        }
        for step in &self.history {
            if !settings.is_known_stage(&step.stage) {
                problems.push(FieldProblem::new(
                    "history",
                    format!("unknown stage `{}` in history", step.stage),
                ));
            }
        }
        if self.history.windows(2).any(|w| w[1].at < w[0].at) {
            problems.push(FieldProblem::new("history", "history is not in date order"));
        }
        if let Some(last) = self.history.last()
            && last.stage != self.stage
        {
            problems.push(FieldProblem::new(
                "stage",
                format!(
                    "stage `{}` differs from the last history entry `{}`",
                    self.stage, last.stage
                ),
            ));
        }
        if self.amount.is_some_and(|a| a < Decimal::ZERO) {
            problems.push(FieldProblem::new("amount", "amount must not be negative"));
        }
        let closed_stage = self.stage == WON || self.stage == LOST;
        match (self.outcome, closed_stage) {
            (Some(outcome), _) if outcome.as_str() != self.stage => {
                problems.push(FieldProblem::new(
                    "outcome",
                    format!("outcome `{outcome}` differs from stage `{}`", self.stage),
                ))
            }
            (None, true) => problems.push(FieldProblem::new(
                "stage",
                format!("stage `{}` needs `outcome` and `closed`", self.stage),
            )),
            _ => {}
        }
        if self.outcome.is_some() && self.closed.is_none() {
            problems.push(FieldProblem::new(
                "closed",
                "a closed deal needs its `closed` date",
            ));
        }
        if self.outcome.is_none() && self.closed.is_some() {
            problems.push(FieldProblem::new(
                "closed",
                "an open deal has no `closed` date",
            ));
        }
        problems
    }
}
