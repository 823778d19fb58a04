//! Stage benchmarks: parse, resolve + rules, and render, on an in-memory
//! corpus shaped like `../shared/bench/gen_corpus.py`'s. Whole-binary figures
//! (wall time, peak memory, Hugo) come from `scripts/bench.sh`.
//!
//! `cargo bench --bench pipeline`

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

use throughline::config::Config;
use throughline::date::parse_date;
use throughline::source::SourceFile;
use throughline::{analyze, Inputs, LoadOptions};

const WORDS: &[&str] = &[
    "strategy",
    "customer",
    "outcome",
    "retention",
    "activation",
    "merchant",
    "payout",
    "latency",
    "margin",
    "delight",
    "experiment",
    "cohort",
    "funnel",
    "pricing",
    "segment",
    "growth",
    "platform",
    "adoption",
    "revenue",
    "insight",
];

/// A small deterministic generator (xorshift), so runs compare.
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn sentence(&mut self, words: usize) -> String {
        (0..words)
            .map(|_| WORDS[self.next(WORDS.len())])
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// `n` documents: a company strategy, product strategies, bets, objectives and work, with links.
fn corpus(n: usize) -> Vec<SourceFile> {
    let mut rng = Rng(7);
    let (n_ps, n_bet, n_obj) = ((n / 200).max(1), (n / 10).max(1), (n / 4).max(1));
    let mut plan: Vec<(String, &str, Option<String>)> =
        vec![("cs".into(), "company-strategy", None)];
    plan.extend((0..n_ps).map(|i| {
        (
            format!("ps-{i}"),
            "product-strategy",
            Some("cs".to_string()),
        )
    }));
    for i in 0..n_bet {
        let parent = format!("ps-{}", rng.next(n_ps));
        plan.push((format!("bet-{i}"), "bet", Some(parent)));
    }
    for i in 0..n_obj {
        let parent = format!("bet-{}", rng.next(n_bet));
        plan.push((format!("obj-{i}"), "objective", Some(parent)));
    }
    let mut i = 0;
    while plan.len() < n {
        let parent = format!("obj-{}", rng.next(n_obj));
        plan.push((format!("work-{i}"), "work", Some(parent)));
        i += 1;
    }
    plan.truncate(n);
    let ids: Vec<String> = plan.iter().map(|p| p.0.clone()).collect();
    plan.iter()
        .map(|(id, kind, parent)| {
            let mut text = format!("---\nid: {id}\nkind: {kind}\ntitle: \"{}\"\n", rng.sentence(5));
            if let Some(p) = parent {
                text.push_str(&format!("parent: {p}\n"));
            }
            text.push_str(&format!("status: in-progress\nreviewed: 2026-{:02}-15\nowner: Owner {}\n", 1 + rng.next(10), rng.next(40)));
            if *kind == "bet" {
                text.push_str(&format!("quarter: 2026-Q{}\nsize: medium\ndhm: {{delight: 3, hard_to_copy: 2, margin: 4}}\n", 1 + rng.next(4)));
            }
            text.push_str("---\n");
            for _ in 0..3 {
                text.push_str(&format!("## {}\n\n", rng.sentence(3)));
                for _ in 0..3 {
                    text.push_str(&format!("{}. See [[{}]].\n\n", rng.sentence(40), ids[rng.next(ids.len())]));
                }
            }
            SourceFile::new(format!("docs/{id}.md"), format!("docs/{id}.md").into(), text)
        })
        .collect()
}

fn options() -> LoadOptions {
    LoadOptions {
        root: ".".into(),
        today: throughline::date::Today::Given(parse_date("2026-11-24").expect("date")),
        drafts: false,
        output_dir: None,
        base_url: None,
    }
}

fn inputs(sources: &[SourceFile]) -> Inputs {
    Inputs {
        config: Config::default(),
        sources: sources.to_vec(),
        ..Inputs::default()
    }
}

fn stages(c: &mut Criterion) {
    let sources = corpus(2_000);
    let schema = Config::default().schema;
    let mut group = c.benchmark_group("2000 documents");
    group.sample_size(10);
    group.bench_function("parse", |b| {
        b.iter(|| {
            sources
                .iter()
                .enumerate()
                .map(|(i, f)| {
                    throughline::source::parse_document(
                        f,
                        throughline::source::SourceId::new(i),
                        &schema,
                    )
                    .0
                    .body
                    .links
                    .len()
                })
                .sum::<usize>()
        })
    });
    group.bench_function("parse + resolve + rules", |b| {
        b.iter_batched(
            || inputs(&sources),
            |input| analyze(input, &options()).diagnostics.len(),
            BatchSize::LargeInput,
        )
    });
    let site = analyze(inputs(&sources), &options());
    let theme = throughline::render::theme::Theme::load(std::path::Path::new("."), &site.config)
        .expect("default theme");
    let jobs = throughline::render::all_jobs(&site);
    group.bench_function("render every page", |b| {
        b.iter(|| {
            throughline::render::render(&site, &theme, &jobs)
                .map(|files| files.len())
                .unwrap_or(0)
        })
    });
    group.finish();
}

criterion_group!(benches, stages);
criterion_main!(benches);
