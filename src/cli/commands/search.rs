//! `docker search`.

use super::{Row, filters, print_rows};
use crate::cli::args::SearchArgs;
use crate::cli::format::ellipsis;
use crate::cli::parse::Verb;
use crate::cli::{Cli, CliError};
use crate::engine::streams::Streams;
use serde_json::{Map, json};

const SEARCH_TABLE: &str = "table {{.Name}}\\t{{.Description}}\\t{{.StarCount}}\\t{{.IsOfficial}}";
const SEARCH_HEADERS: &[(&str, &str)] = &[
    ("Name", "NAME"),
    ("Description", "DESCRIPTION"),
    ("StarCount", "STARS"),
    ("IsOfficial", "OFFICIAL"),
    ("IsAutomated", "AUTOMATED"),
];

pub fn search(
    cli: &mut Cli<'_>,
    verb: &Verb,
    raw: &[String],
    streams: Streams<'_>,
) -> Result<i32, CliError> {
    let args: SearchArgs = verb.parse(raw)?;
    let filter = filters(&args.filter)?;
    let results = cli
        .backend
        .search_images(&args.args[0], args.limit, &filter)?;
    let rows: Vec<Row> = results
        .iter()
        .map(|r| {
            let description = r.description.clone().unwrap_or_default().replace('\n', " ");
            let description = if args.no_trunc {
                description
            } else {
                ellipsis(&description, 45)
            };
            let mut fields = Map::new();
            fields.insert("Description".into(), json!(description));
            fields.insert(
                "IsAutomated".into(),
                json!(if r.is_automated.unwrap_or(false) {
                    "[OK]"
                } else {
                    ""
                }),
            );
            fields.insert(
                "IsOfficial".into(),
                json!(if r.is_official.unwrap_or(false) {
                    "[OK]"
                } else {
                    ""
                }),
            );
            fields.insert("Name".into(), json!(r.name.clone().unwrap_or_default()));
            fields.insert(
                "StarCount".into(),
                json!(r.star_count.unwrap_or(0).to_string()),
            );
            Row {
                type_name: "*formatter.searchContext",
                fields,
            }
        })
        .collect();
    print_rows(
        streams.stdout,
        args.format.as_deref(),
        SEARCH_TABLE,
        SEARCH_HEADERS,
        &rows,
        "template parsing error: ",
    )?;
    Ok(0)
}
