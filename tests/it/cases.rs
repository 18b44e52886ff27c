//! Case fixtures: `fixtures/config/<case>/{in,out}/config.toml` plus an `ops` file, each case
//! named after the behaviour it pins down. The ops are applied through the library's locked
//! edit; the result must equal `out/config.toml` byte for byte, and a second run must write
//! nothing. `MG_CODEX_BLESS=1` writes `out/` from the current behaviour (review the diff!).
//!
//! `ops` lines: `set KEY VALUE` (top-level string), `remove KEY`, `provider ID FIELD VALUE`,
//! `trust KEY trusted|untrusted`, `untrust KEY` (remove the entry), `mcp NAME URL` (set
//! `mcp_servers.NAME.url`), `unmcp NAME` (remove the server).

use std::fs;
use std::path::Path;

use mg_codex::codex_config::{ConfigDocument, TrustLevel};
use mg_codex::config_file;

use crate::support::fixtures_dir;

fn apply(doc: &mut ConfigDocument, ops: &str) {
    for line in ops
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["set", key, value] => doc.set_root_str(key, value).unwrap(),
            ["remove", key] => {
                doc.remove_root(key);
            }
            ["provider", id, field, value] => doc
                .set_provider_fields(id, &[(field, (*value).into())])
                .unwrap(),
            ["trust", key, level] => {
                let level = match *level {
                    "trusted" => TrustLevel::Trusted,
                    "untrusted" => TrustLevel::Untrusted,
                    other => panic!("unknown level {other}"),
                };
                doc.set_trust(key, level).unwrap();
            }
            ["untrust", key] => {
                doc.remove_trust(key);
            }
            ["mcp", name, url] => doc.set_mcp_server_url(name, url).unwrap(),
            ["unmcp", name] => {
                doc.remove_mcp_server(name);
            }
            _ => panic!("bad ops line: {line}"),
        }
    }
}

fn run_case(case: &Path) -> Result<(), String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let ops = fs::read_to_string(case.join("ops")).map_err(|e| format!("{name}: ops: {e}"))?;
    let input = fs::read(case.join("in/config.toml")).map_err(|e| format!("{name}: in: {e}"))?;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("config.toml");
    fs::write(&path, &input).unwrap();
    let (_, first) = config_file::edit(&path, |doc| {
        apply(doc, &ops);
        Ok(())
    })
    .map_err(|e| format!("{name}: edit failed: {e:#}"))?;
    let actual = fs::read(&path).unwrap();
    let expected_path = case.join("out/config.toml");
    if std::env::var_os("MG_CODEX_BLESS").is_some() {
        fs::create_dir_all(case.join("out")).unwrap();
        fs::write(&expected_path, &actual).unwrap();
    }
    let expected = fs::read(&expected_path).map_err(|e| format!("{name}: out: {e}"))?;
    if actual != expected {
        return Err(format!(
            "{name}: output differs\n--- expected\n{}\n--- actual\n{}",
            String::from_utf8_lossy(&expected),
            String::from_utf8_lossy(&actual)
        ));
    }
    if first.changed != (input != expected) {
        return Err(format!(
            "{name}: reported changed={} but the bytes say otherwise",
            first.changed
        ));
    }
    ConfigDocument::from_bytes(&actual)
        .map_err(|e| format!("{name}: output does not parse: {e}"))?;
    let (_, second) = config_file::edit(&path, |doc| {
        apply(doc, &ops);
        Ok(())
    })
    .unwrap();
    if second.changed || fs::read(&path).unwrap() != expected {
        return Err(format!("{name}: a second run changed the file"));
    }
    Ok(())
}

#[test]
fn config_cases_match_their_expected_output() {
    let mut cases: Vec<_> = fs::read_dir(fixtures_dir().join("config"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(cases.len() >= 20, "the case fixtures are missing");
    let failures: Vec<String> = cases.iter().filter_map(|c| run_case(c).err()).collect();
    assert!(
        failures.is_empty(),
        "{} case(s) failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
