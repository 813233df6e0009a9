//! `relate campaign`: marketing campaigns to a segment of customers.

use chrono::NaiveDate;

use relate::model::Campaign;
use relate::ops;
use relate::ops::campaign::NewCampaign;
use relate::output::{Cell, Format, Table};
use relate::store::Query;

use super::set;
use crate::ui::{SortArgs, Ui, date_arg, id_arg};

#[derive(clap::Subcommand)]
pub enum Command {
    New(NewArgs),
    Launch(LaunchArgs),
    /// Change fields of a campaign that is not launched yet.
    ///
    /// FIELD=VALUE sets a field; an empty VALUE unsets it. Fields: external_id,
    /// name, channel, segment, where, start, end, owner. A launched campaign is
    /// not changed: what was sent to whom is history.
    Set(set::SetArgs),
    List(ListArgs),
    Show(ShowArgs),
}

/// Plan a campaign to the customers of a segment or filter, and print its id.
///
/// The id is a slug of the name. Nothing is sent: `relate campaign launch ID`
/// freezes the member list, then log each contact with `relate log CUSTOMER
/// --campaign ID`, and see the results with `relate report campaign ID`.
#[derive(clap::Args)]
#[command(group(clap::ArgGroup::new("members").required(true).args(["segment", "filter"])))]
pub struct NewArgs {
    /// The campaign's name
    name: String,
    /// The members: the customers of this named segment (`segments` in relate.yaml)
    #[arg(long, value_name = "NAME")]
    segment: Option<String>,
    /// The members: the customers this filter selects (see docs/filters.md)
    #[arg(long = "where", value_name = "FILTER")]
    filter: Option<String>,
    /// The channel it goes through: one of the `channels` in relate.yaml
    #[arg(long)]
    channel: String,
    /// Its first day [default: the day it is launched]
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    start: Option<NaiveDate>,
    /// Its last day: deals, orders and responses after it do not count
    #[arg(long, value_name = "DATE", value_parser = date_arg)]
    end: Option<NaiveDate>,
    /// The team member in charge [default: you, if relate.yaml lists you]
    #[arg(long)]
    owner: Option<String>,
    /// Choose the id instead of deriving it
    #[arg(long, value_parser = id_arg)]
    id: Option<String>,
}

/// Launch a campaign, freezing its member list.
///
/// The customers its segment or filter selects today become its members,
/// written into its file; customers who match later do not join. Those whose
/// consent forbids marketing on the campaign's channel (a withdrawal, or no
/// answer where relate.yaml's `consent.needs_grant` names the channel) are
/// left out and listed under `excluded:` with the reason.
#[derive(clap::Args)]
pub struct LaunchArgs {
    #[arg(value_parser = id_arg)]
    campaign: String,
}

/// List campaigns.
#[derive(clap::Args)]
pub struct ListArgs {
    #[command(flatten)]
    order: SortArgs,
}

/// Show one campaign, its members and the customers consent left out.
#[derive(clap::Args)]
pub struct ShowArgs {
    #[arg(value_parser = id_arg)]
    campaign: String,
}

pub fn run(ui: &mut Ui, command: Command) -> anyhow::Result<()> {
    match command {
        Command::New(args) => new(ui, args),
        Command::Launch(args) => launch(ui, args),
        Command::Set(args) => set::run::<Campaign>(ui, args),
        Command::List(args) => {
            let store = ui.store()?;
            let mut campaigns: Vec<Campaign> = store.read(Query::all())?;
            args.order.apply(&mut campaigns)?;
            ui.records(&campaigns, campaigns_table)
        }
        Command::Show(args) => show(ui, args),
    }
}

fn new(ui: &mut Ui, args: NewArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let campaign = ops::campaign::new(
        &store,
        NewCampaign {
            name: args.name,
            channel: args.channel,
            segment: args.segment,
            filter: args.filter,
            start: args.start,
            end: args.end,
            owner: args.owner,
            id: args.id,
        },
    )?;
    ui.created(&campaign.id)
}

/// How many of the customers left out a launch names on stderr.
const EXCLUSIONS_NAMED: usize = 10;

fn launch(ui: &mut Ui, args: LaunchArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let campaign = ops::campaign::launch(&store, &args.campaign)?;
    let members = campaign.members.len();
    let plural = if members == 1 { "" } else { "s" };
    ui.note(&format!(
        "{} launched with {members} member{plural}.",
        campaign.id
    ));
    if !campaign.excluded.is_empty() {
        let shown: Vec<String> = (campaign.excluded.iter())
            .take(EXCLUSIONS_NAMED)
            .map(|e| format!("{} ({})", e.customer, e.reason))
            .collect();
        let more = match campaign.excluded.len().saturating_sub(EXCLUSIONS_NAMED) {
            0 => String::new(),
            n => format!(" and {n} more"),
        };
        ui.note(&format!(
            "{} left out for want of consent on {}: {}{more}; `relate campaign show {}` lists them.",
            campaign.excluded.len(),
            campaign.channel,
            shown.join(", "),
            campaign.id
        ));
    }
    Ok(())
}

fn show(ui: &mut Ui, args: ShowArgs) -> anyhow::Result<()> {
    let store = ui.store()?;
    let campaign: Campaign = store.get(&args.campaign)?;
    if ui.format() == Format::Json {
        return ui.json(&campaign);
    }
    ui.table(&campaigns_table(std::slice::from_ref(&campaign)))?;
    if !campaign.members.is_empty() {
        let mut members = Table::new(&["member"]);
        for member in &campaign.members {
            members.push(vec![Cell::text(member)]);
        }
        ui.line("")?;
        ui.table(&members)?;
    }
    if !campaign.excluded.is_empty() {
        let mut excluded = Table::new(&["excluded", "reason"]);
        for exclusion in &campaign.excluded {
            excluded.push(vec![
                Cell::text(&exclusion.customer),
                Cell::text(&exclusion.reason),
            ]);
        }
        ui.line("")?;
        ui.table(&excluded)?;
    }
    Ok(())
}

/// The columns of campaign lists.
pub fn campaigns_table(campaigns: &[Campaign]) -> Table {
    let mut table = Table::new(&[
        "id", "name", "channel", "segment", "where", "start", "end", "owner", "launched", "members",
    ]);
    for c in campaigns {
        table.push(vec![
            Cell::text(&c.id),
            Cell::text(&c.name),
            Cell::text(&c.channel),
            c.segment.as_deref().into(),
            c.filter.as_deref().into(),
            c.start.into(),
            c.end.into(),
            c.owner.as_deref().into(),
            c.launched.map_or(Cell::Empty, Cell::DateTime),
            Cell::Int(c.members.len() as i64),
        ]);
    }
    table
}
