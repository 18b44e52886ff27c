use super::filter::*;
use super::table::*;
use super::*;
use crate::ui::Style;

fn model(id: &str, name: &str, params: &[&str]) -> Model {
    Model {
        id: id.into(),
        name: Some(name.into()),
        context_length: Some(400_000),
        prompt_price: Some(0.00000175),
        completion_price: Some(0.000014),
        supported_parameters: params.iter().map(|p| p.to_string()).collect(),
        ..Model::default()
    }
}

fn catalogue() -> Vec<Model> {
    vec![
        model(
            "anthropic/claude-sonnet-4.5",
            "Anthropic: Claude Sonnet 4.5",
            &["tools", "reasoning"],
        ),
        model(
            "google/gemini-2.5-pro",
            "Google: Gemini 2.5 Pro",
            &["tools", "reasoning"],
        ),
        model(
            "meta-llama/llama-3.1-8b-instruct",
            "Meta: Llama 3.1 8B Instruct",
            &[],
        ),
        model(
            "openai/gpt-5.3-codex",
            "OpenAI: GPT-5.3 Codex",
            &["tools", "reasoning"],
        ),
        model("openai/gpt-4o-mini", "OpenAI: GPT-4o-mini", &["tools"]),
    ]
}

fn ids(query: &str) -> (Vec<String>, Matched) {
    let all = catalogue();
    let refs: Vec<&Model> = all.iter().collect();
    let (found, how) = filter(&refs, Some(query));
    (found.iter().map(|m| m.id.clone()).collect(), how)
}

#[test]
fn substring_on_id_or_name_any_case() {
    assert_eq!(
        ids("CODEX"),
        (vec!["openai/gpt-5.3-codex".to_string()], Matched::Substring)
    );
    assert_eq!(
        ids("claude sonnet"),
        (
            vec!["anthropic/claude-sonnet-4.5".to_string()],
            Matched::Substring
        )
    );
    assert_eq!(ids("openai/").0.len(), 2);
}

#[test]
fn fuzzy_only_when_no_substring_matches() {
    for (query, want) in [
        ("gpt53codex", "openai/gpt-5.3-codex"),
        ("sonet", "anthropic/claude-sonnet-4.5"),
        ("cluade", "anthropic/claude-sonnet-4.5"),
        ("gemnii pro", "google/gemini-2.5-pro"),
        ("4o mini", "openai/gpt-4o-mini"),
    ] {
        let (found, how) = ids(query);
        assert_eq!(how, Matched::Fuzzily, "{query}");
        assert!(found.contains(&want.to_string()), "{query}: {found:?}");
        assert!(found.len() <= 2, "{query} is too loose: {found:?}");
    }
    assert!(ids("zzzz").0.is_empty());
    assert!(ids("qwen").0.is_empty(), "{:?}", ids("qwen"));
}

#[test]
fn context_lengths_read_like_the_catalogue_pages() {
    assert_eq!(format_context(400_000), "400K");
    assert_eq!(format_context(1_000_000), "1M");
    assert_eq!(format_context(1_048_576), "1.05M");
    assert_eq!(format_context(131_072), "131K");
    assert_eq!(format_context(32_768), "33K");
    assert_eq!(format_context(999_999), "1M");
    assert_eq!(format_context(512), "512");
}

#[test]
fn prices_per_million_lose_no_digit() {
    let p = |per_token: f64| format_price(api::per_million(per_token));
    assert_eq!(p(0.00000175), "$1.75");
    assert_eq!(p(0.000014), "$14.00");
    assert_eq!(p(0.000000028), "$0.028");
    assert_eq!(p(0.000001125), "$1.125");
    assert_eq!(p(0.00000002), "$0.02");
    assert_eq!(p(0.0), "free");
    assert_eq!(p(-1.0), "-");
    assert_eq!(p(1e-15), "<$0.000001");
    assert_eq!(format_price(None), "-");
}

fn rows() -> Vec<Row> {
    let mut rows: Vec<Row> = catalogue().iter().map(|m| Row::new(m, false)).collect();
    rows[3].current = true;
    rows.push(Row::new(
        &model(
            "z/模型-with-a-very-long-wide-name",
            "名前: 全角の名前",
            &["tools"],
        ),
        false,
    ));
    rows
}

#[test]
fn the_table_fits_every_width_and_every_id_is_whole() {
    let rows = rows();
    let plain = |_: Style, t: &str| t.to_string();
    for width in 1..=200 {
        let lines = table(&rows, width, &plain);
        assert_eq!(lines.len(), rows.len() + 1);
        for (line, row) in lines[1..].iter().zip(&rows) {
            let id = &row.cells[ID];
            let mark = if row.current { '*' } else { ' ' };
            assert!(
                line.starts_with(&format!("{mark} {id}")),
                "the id is not whole at {width}: {line:?}"
            );
            assert!(
                width_of(line) <= width || line.trim_start_matches(['*', ' ']) == id,
                "{} columns > {width}, and not an id alone: {line:?}",
                width_of(line)
            );
        }
        assert!(
            width_of(&lines[0]) <= width.max(GUTTER + 2),
            "{:?}",
            lines[0]
        );
    }
}

#[test]
fn a_narrow_table_drops_name_then_prices_then_context_then_the_support_columns() {
    let rows = rows();
    let plain = |_: Style, t: &str| t.to_string();
    let headers = |width: usize| -> Vec<String> {
        table(&rows, width, &plain)[0]
            .split("  ")
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .map(str::to_string)
            .collect()
    };
    let wide = table(&rows, 200, &plain);
    assert_eq!(
        headers(200),
        [
            "ID",
            "CONTEXT",
            "IN $/M",
            "OUT $/M",
            "TOOLS",
            "REASONING",
            "NAME"
        ]
    );
    assert!(wide[4].starts_with("* openai/gpt-5.3-codex "), "{wide:?}");
    assert!(wide[4].ends_with("OpenAI: GPT-5.3 Codex"), "{wide:?}");
    assert!(wide.iter().all(|l| !l.contains('…') && l == l.trim_end()));
    // The longest id is 32 wide: 34 with the gutter.
    assert_eq!(
        headers(80),
        ["ID", "CONTEXT", "IN $/M", "OUT $/M", "TOOLS", "REASONING"]
    );
    assert_eq!(headers(72), ["ID", "CONTEXT", "TOOLS", "REASONING"]);
    assert_eq!(headers(60), ["ID", "TOOLS", "REASONING"]);
    assert_eq!(headers(45), ["ID", "TOOLS"]);
    assert_eq!(headers(40), ["ID"]);
    assert_eq!(headers(20), ["ID"]);
    // NAME is shortened before anything else goes.
    let some_name = table(&rows, 100, &plain);
    assert!(some_name[0].ends_with("NAME"), "{some_name:?}");
    assert!(some_name.iter().any(|l| l.ends_with('…')), "{some_name:?}");
    assert!(some_name.iter().all(|l| width_of(l) <= 100));
}

/// Removes `ESC [ ... m` sequences.
fn strip_escapes(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[test]
fn the_summary_is_one_line_when_it_fits_else_a_line_per_clause_that_fits() {
    let url = "http://127.0.0.1:43210/api/v1";
    let all = summary(10, Matched::All, None, false, true, url);
    let one = "10 models in the catalogue at `http://127.0.0.1:43210/api/v1`; `*` marks the configured one";
    assert_eq!(summary_lines(&all, None), [one]);
    assert_eq!(summary_lines(&all, Some(200)), [one]);
    assert_eq!(
        summary_lines(&all, Some(80)),
        [
            "10 models in the catalogue at `http://127.0.0.1:43210/api/v1`",
            "`*` marks the configured one"
        ]
    );
    assert_eq!(
        summary_lines(&all, Some(40)),
        ["10 models in the catalogue", "`*` marks the configured one"]
    );
    let fuzzy = summary(2, Matched::Fuzzily, Some("gpt53codex"), true, false, url);
    assert_eq!(
        summary_lines(&fuzzy, Some(50)),
        ["2 models with tools match `gpt53codex` fuzzily"]
    );
    let none = summary(0, Matched::Fuzzily, Some("zzzz"), false, false, url);
    assert_eq!(
        summary_lines(&none, None),
        ["No model matches `zzzz`, not even fuzzily: run `mg-codex models` to see them all"]
    );
    assert_eq!(
        summary_lines(&none, Some(40)),
        [
            "No model matches `zzzz`",
            "run `mg-codex models` to see them all"
        ]
    );
    for width in 1..=120 {
        for clauses in [&all, &fuzzy, &none] {
            for line in summary_lines(clauses, Some(width)) {
                assert!(width_of(&line) <= width, "{line:?} at {width}");
            }
        }
    }
}

#[test]
fn colour_never_changes_the_layout() {
    let rows = rows();
    let paint = |s: Style, t: &str| format!("\x1b[{}m{t}\x1b[0m", s as u8);
    let plain = |_: Style, t: &str| t.to_string();
    for width in [40, 80, 100, 200] {
        let painted: Vec<String> = table(&rows, width, &paint)
            .iter()
            .map(|l| strip_escapes(l))
            .collect();
        assert_eq!(painted, table(&rows, width, &plain), "at {width}");
    }
}

#[test]
fn piped_lines_are_tab_separated_with_the_mark_before_the_name() {
    let rows = rows();
    assert_eq!(
        rows[3].tab_separated(),
        "openai/gpt-5.3-codex\t400K\t$1.75\t$14.00\tyes\tyes\t*\tOpenAI: GPT-5.3 Codex"
    );
    assert_eq!(
        rows[2].tab_separated(),
        "meta-llama/llama-3.1-8b-instruct\t400K\t$1.75\t$14.00\t?\t?\t\tMeta: Llama 3.1 8B Instruct"
    );
}

#[test]
fn control_characters_from_the_server_are_removed() {
    let m = model("a/b", "evil\x1b[2J\tname\n", &[]);
    let row = Row::new(&m, false);
    assert_eq!(row.cells[NAME], "evil [2J name ");
    assert_eq!(row.tab_separated().matches('\t').count(), 7);
}
