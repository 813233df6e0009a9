//! `relate search`: find records by the words in them.

use relate::model::Kind;
use relate::output::{Format, write_json, write_sections};
use relate::report::{Report, search};

use crate::error::{Exit, FAILURE};
use crate::ui::{Ui, kind_arg};

/// Find records whose texts hold every word, case and accents ignored.
///
/// Searched: customers' names, e-mails, phones, company, region, notes,
/// tags and custom fields; contacts' summaries and bodies; deal titles;
/// ticket subjects and notes; product and campaign names; ids, external ids
/// and serial numbers. A contact, deal, ticket, order or asset also matches
/// when the words it lacks are in its customer's texts (`relate search
/// utrecht invoice`). Ranked: the whole query equal to an id, e-mail, phone
/// or serial first, then every word in the name (title, subject), then the
/// rest; grouped by kind. Exit 1 when nothing matches.
#[derive(clap::Args)]
pub struct Args {
    /// The words to find (every one must be found)
    #[arg(required = true, value_name = "WORD")]
    words: Vec<String>,
    /// Only records of these kinds (repeat, or separate with commas)
    #[arg(long, value_name = "KIND", value_parser = kind_arg, value_delimiter = ',')]
    kind: Vec<Kind>,
    /// At most this many hits of each kind
    #[arg(long, value_name = "N", default_value_t = 10)]
    limit: usize,
}

pub fn run(ui: &mut Ui, args: Args) -> anyhow::Result<()> {
    let store = ui.store()?;
    let kinds = if args.kind.is_empty() {
        Kind::ALL.to_vec()
    } else {
        args.kind.clone()
    };
    let text = args.words.join(" ");
    let (data, query) = store.search_candidates(&kinds, &text)?;
    let found = search::search(&data, &query, &args.kind, args.limit);
    let sections = found.sections();
    ui.print_to(None, |out, format, style| match format {
        Format::Json => write_json(out, &found),
        _ => write_sections(out, &sections, format, style),
    })?;
    for (kind, more) in &found.left_out {
        let kinds = if *more == 1 {
            kind.to_string()
        } else {
            format!("{kind}s")
        };
        ui.note(&format!("{more} more {kinds} left out: raise --limit"));
    }
    if found.hits.is_empty() {
        ui.note(&format!("no record holds every word of `{}`", found.query));
        return Err(Exit {
            code: FAILURE,
            hint: Some("fewer words, or parts of words, find more"),
        }
        .into());
    }
    Ok(())
}
