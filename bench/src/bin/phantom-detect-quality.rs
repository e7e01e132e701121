//! Detection quality of Phantom's detectors on generated, labelled data: log streams with
//! injected incidents through the log detector at each preset, seasonal series with injected
//! changes through the online series detector. Prints a markdown table (precision, recall, F1
//! and detection delay per incident kind, false alarms on clean data), then one JSON object
//! per row.

use anyhow::Result;
use clap::{Parser, ValueEnum};
use phantom_bench::quality::report::{json_row, markdown};
use phantom_bench::quality::run::{LOG_RULE, Options, SERIES_RULE, log_rows, series_rows};

/// Detection quality benchmark.
#[derive(Parser)]
struct Args {
    /// Seed of every generated stream and series.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Two cases per incident kind instead of five.
    #[arg(long)]
    quick: bool,
    /// Only the log streams or only the series.
    #[arg(long, value_enum)]
    only: Option<Data>,
}

/// Which data to score.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Data {
    /// Log streams.
    Logs,
    /// Numeric series.
    Series,
}

fn main() -> Result<()> {
    let args = Args::parse();
    let options = if args.quick {
        Options::quick(args.seed)
    } else {
        Options::full(args.seed)
    };
    let mut rows = Vec::new();
    if args.only != Some(Data::Series) {
        rows.extend(log_rows(&options)?);
    }
    if args.only != Some(Data::Logs) {
        rows.extend(series_rows(&options)?);
    }
    println!(
        "seed {}, {} cases per incident kind, {} clean; logs: {} events per stream, grace {} events, \
         touching windows merge; series: {} points per series, grace {} points, anomalies at most {} \
         points apart merge",
        options.seed,
        options.cases,
        options.clean_cases,
        options.log_plan.length,
        LOG_RULE.grace,
        options.series_plan.length,
        SERIES_RULE.grace,
        SERIES_RULE.merge_gap
    );
    println!();
    print!("{}", markdown(&rows));
    println!();
    for row in &rows {
        println!("{}", json_row(row));
    }
    Ok(())
}
