//! `config.file`: the file itself parses, as Codex parses it (TOML, the shape of each known key,
//! keys stranded under a table they do not belong to), with its line and column.

use super::*;

#[derive(Serialize)]
struct FileDetails<'a> {
    path: &'a Path,
    exists: bool,
    line: Option<usize>,
    column: Option<usize>,
    stranded_keys: Vec<String>,
    unknown_keys: Vec<String>,
}

/// `config.file`: the file exists, parses, every top-level setting is at the top level, and
/// Codex knows every top-level key.
pub fn file(ctx: &Context, path: &Path, loaded: &Loaded) -> Check {
    const ID: &str = "config.file";
    let mut details = FileDetails {
        path,
        exists: !matches!(loaded, Loaded::Missing),
        line: None,
        column: None,
        stranded_keys: Vec::new(),
        unknown_keys: Vec::new(),
    };
    let shown = ctx.show(path);
    let mut f = Vec::new();
    match loaded {
        Loaded::HomeMissing { dir, origin } => {
            let quoted = crate::project::shell_quote(&dir.display().to_string());
            let command = format!("mkdir -p {quoted} && {}", ctx.me.command("init --yes"));
            f.push(
                Finding::fail(
                    "codex_home_missing",
                    format!(
                        "{origin} points to `{}`, which does not exist: Codex refuses to start (\"CODEX_HOME points to …, but that path does not exist\")",
                        dir.display()
                    ),
                )
                .variable(*origin)
                .value(dir.display().to_string())
                .fix(Fix::command_with(
                    command.clone(),
                    format!(
                        "create it and set ModelGates up there with `{command}`, or point {origin} at your Codex directory (unset, Codex uses `~/.codex`)"
                    ),
                )),
            );
        }
        Loaded::HomeNotDir { dir, origin } => {
            let quoted = crate::project::shell_quote(&dir.display().to_string());
            let aside = crate::project::shell_quote(&format!("{}.not-a-directory", dir.display()));
            let fix = if *origin == "~/.codex" {
                let command = format!("mv {quoted} {aside} && {}", ctx.me.command("init --yes"));
                Fix::command_with(
                    command.clone(),
                    format!("move the file out of the way and set Codex up: `{command}`"),
                )
            } else {
                Fix::instruction(format!(
                    "point {origin} at a directory (`{}` is a file)",
                    dir.display()
                ))
            };
            f.push(
                Finding::fail(
                    "codex_home_not_dir",
                    format!(
                        "`{}` ({origin}) is not a directory: Codex refuses to start (\"Not a directory\")",
                        ctx.show(dir)
                    ),
                )
                .file(dir, None)
                .fix(fix),
            );
        }
        Loaded::Missing => f.push(
            Finding::fail("config_missing", format!("`{shown}` does not exist"))
                .file(path, None)
                .fix(ctx.run_with("init", |c| format!("set it up with `{c}`"))),
        ),
        Loaded::Unreadable { error, special } => {
            let code = if *special {
                "config_special_file"
            } else {
                "config_unreadable"
            };
            f.push(
                Finding::fail(code, format!("cannot read `{shown}`: {error}"))
                    .file(path, None)
                    .fix(Fix::instruction(format!(
                        "make `{shown}` a regular file you can read (`ls -l {}` shows what it is)",
                        path.display()
                    ))),
            )
        }
        Loaded::Invalid(invalid) => {
            let e = &invalid.error;
            details.line = Some(e.line);
            details.column = Some(e.column);
            f.push(
                Finding::fail(
                    "config_invalid_toml",
                    format!(
                        "`{shown}` is not valid TOML at line {}, column {}: {}, so Codex refuses the whole file",
                        e.line, e.column, e.message
                    ),
                )
                .file(path, Some(e.line))
                .fix(Fix::edit(
                    path,
                    Some(e.line),
                    format!(
                        "fix line {} of `{shown}` by hand (`{}`); mg-codex never writes an unparsable file",
                        e.line,
                        e.source_line.trim()
                    ),
                )),
            );
        }
        Loaded::Parsed(doc) => {
            for path_keys in stranded_keys(doc.document().as_table()) {
                let parts: Vec<&str> = path_keys.iter().map(String::as_str).collect();
                let (name, table_path) = path_keys.split_last().expect("a key in a table");
                let table = header(table_path);
                let line = doc.line_of(&parts);
                f.push(
                    Finding::fail(
                        "stranded_key",
                        format!(
                            "`{name}` sits inside `[{table}]`, so Codex does not read it as a top-level setting (it ignores it)"
                        ),
                    )
                    .file(path, line)
                    .fix(Fix::edit(
                        path,
                        line,
                        format!(
                            "move `{name} = …` (line {}) above the first `[table]` line of `{shown}`",
                            line.map_or("?".into(), |l| l.to_string())
                        ),
                    )),
                );
                let key = format!("{table}.{name}");
                details.stranded_keys.push(key);
            }
            for (key, _) in doc.document().iter() {
                if KNOWN_TOP_LEVEL_KEYS.contains(&key) || key.starts_with("experimental_") {
                    continue;
                }
                let line = doc.line_of(&[key]);
                f.push(
                    Finding::warning(
                        "unknown_config_key",
                        format!(
                            "Codex does not know `{key}`: it ignores it with a warning at every start, and `--strict-config` refuses the file"
                        ),
                    )
                    .file(path, line)
                    .fix(Fix::edit(
                        path,
                        line,
                        format!(
                            "remove `{key}` from `{shown}` (or correct its name: Codex's settings are listed by `codex --help` and its docs)"
                        ),
                    )),
                );
                details.unknown_keys.push(key.to_string());
            }
        }
    }
    Check::new(ID, Category::Config, format!("`{shown}` parses"), f).details(details)
}

/// The key paths (`["mcp_servers", "x", "model_provider"]`) of top-level settings stranded in
/// tables.
pub fn stranded_keys(root: &Table) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    fn walk(table: &Table, path: &mut Vec<String>, found: &mut Vec<Vec<String>>) {
        for (key, item) in table.iter() {
            match item {
                Item::Table(t) => {
                    path.push(key.to_string());
                    walk(t, path, found);
                    path.pop();
                }
                Item::Value(_)
                    if !path.is_empty()
                        && TABLES_WITHOUT_ROOT_KEYS.contains(&path[0].as_str())
                        && ROOT_ONLY_KEYS.contains(&key) =>
                {
                    let mut full = path.clone();
                    full.push(key.to_string());
                    found.push(full);
                }
                _ => {}
            }
        }
    }
    walk(root, &mut Vec::new(), &mut found);
    found
}

/// A table's path as TOML writes it in a header (`projects."/home/me/app"`).
fn header(path: &[String]) -> String {
    path.iter()
        .map(|k| {
            if !k.is_empty()
                && k.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                k.clone()
            } else {
                toml_edit::Key::new(k.as_str()).display_repr().into_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}
