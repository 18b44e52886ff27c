//! The one edit made to shell profiles, on strings: insert, replace or remove the marked block
//!
//! ```text
//! # >>> mg-codex >>>
//! <body>
//! # <<< mg-codex <<<
//! ```
//!
//! and find the user's own definitions of a variable outside it. Pure functions only: no paths,
//! no IO, no knowledge of which shell reads which file (that is [`super::shells`]).
//!
//! Rules: each marker must appear exactly once, begin before end, and a line that looks like a
//! marker without being one exactly is refused (we never guess). A block is inserted at the end
//! after one blank line; if the file lacked a final newline, the newline is added and the blank
//! line is not, so [`remove`] can undo an insertion byte for byte in both cases. Line endings
//! (LF or CRLF) follow the file; a block the user indented keeps its indentation.

use std::fmt;

/// The first line of the block.
pub const BEGIN: &str = "# >>> mg-codex >>>";
/// The last line of the block.
pub const END: &str = "# <<< mg-codex <<<";

/// Why the markers of a file cannot be trusted. Lines are 1-based.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MarkerProblem {
    /// A line mentions the markers without being exactly one of them.
    Malformed {
        line: usize,
    },
    DuplicateBegin {
        first: usize,
        second: usize,
    },
    DuplicateEnd {
        first: usize,
        second: usize,
    },
    MissingEnd {
        begin: usize,
    },
    MissingBegin {
        end: usize,
    },
    EndBeforeBegin {
        end: usize,
        begin: usize,
    },
}

impl MarkerProblem {
    /// The line to look at first.
    pub fn line(&self) -> usize {
        match *self {
            MarkerProblem::Malformed { line } => line,
            MarkerProblem::DuplicateBegin { second, .. } => second,
            MarkerProblem::DuplicateEnd { second, .. } => second,
            MarkerProblem::MissingEnd { begin } => begin,
            MarkerProblem::MissingBegin { end } => end,
            MarkerProblem::EndBeforeBegin { end, .. } => end,
        }
    }
}

impl fmt::Display for MarkerProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MarkerProblem::Malformed { line } => write!(
                f,
                "line {line} looks like an mg-codex marker but is not exactly `{BEGIN}` or `{END}`"
            ),
            MarkerProblem::DuplicateBegin { first, second } => {
                write!(f, "`{BEGIN}` appears twice, at lines {first} and {second}")
            }
            MarkerProblem::DuplicateEnd { first, second } => {
                write!(f, "`{END}` appears twice, at lines {first} and {second}")
            }
            MarkerProblem::MissingEnd { begin } => {
                write!(f, "`{BEGIN}` at line {begin} has no `{END}` after it")
            }
            MarkerProblem::MissingBegin { end } => {
                write!(f, "`{END}` at line {end} has no `{BEGIN}` before it")
            }
            MarkerProblem::EndBeforeBegin { end, begin } => write!(
                f,
                "`{END}` at line {end} comes before `{BEGIN}` at line {begin}"
            ),
        }
    }
}

impl std::error::Error for MarkerProblem {}

/// One line of a text: its content and the line ending that follows it (empty on a last line
/// without a newline).
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    start: usize,
    content: &'a str,
    eol: &'a str,
}

impl Line<'_> {
    fn end(&self) -> usize {
        self.start + self.content.len() + self.eol.len()
    }
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    while start < text.len() {
        let rest = &text[start..];
        let line = match rest.find('\n') {
            Some(i) if rest[..i].ends_with('\r') => Line {
                start,
                content: &rest[..i - 1],
                eol: "\r\n",
            },
            Some(i) => Line {
                start,
                content: &rest[..i],
                eol: "\n",
            },
            None => Line {
                start,
                content: rest,
                eol: "",
            },
        };
        start = line.end();
        out.push(line);
    }
    out
}

/// The line ending a file uses: that of its first line, LF when it has none.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(i) if text[..i].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// Where the block is: 0-based indices of the marker lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub begin: usize,
    pub end: usize,
}

fn locate(lines: &[Line<'_>]) -> Result<Option<Span>, MarkerProblem> {
    let mut begins = Vec::new();
    let mut ends = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let t = line.content.trim();
        if t == BEGIN {
            begins.push(i);
        } else if t == END {
            ends.push(i);
        } else if t.contains(">>> mg-codex") || t.contains("<<< mg-codex") {
            return Err(MarkerProblem::Malformed { line: i + 1 });
        }
    }
    match (begins.as_slice(), ends.as_slice()) {
        ([], []) => Ok(None),
        ([first, second, ..], _) => Err(MarkerProblem::DuplicateBegin {
            first: first + 1,
            second: second + 1,
        }),
        (_, [first, second, ..]) => Err(MarkerProblem::DuplicateEnd {
            first: first + 1,
            second: second + 1,
        }),
        ([begin], []) => Err(MarkerProblem::MissingEnd { begin: begin + 1 }),
        ([], [end]) => Err(MarkerProblem::MissingBegin { end: end + 1 }),
        ([begin], [end]) if end < begin => Err(MarkerProblem::EndBeforeBegin {
            end: end + 1,
            begin: begin + 1,
        }),
        ([begin], [end]) => Ok(Some(Span {
            begin: *begin,
            end: *end,
        })),
    }
}

/// Finds the block, checking the markers.
pub fn find(text: &str) -> Result<Option<Span>, MarkerProblem> {
    locate(&lines(text))
}

/// The lines between the markers, without indentation and line endings; `None` without a block.
pub fn body(text: &str) -> Result<Option<Vec<String>>, MarkerProblem> {
    let lines = lines(text);
    let Some(span) = locate(&lines)? else {
        return Ok(None);
    };
    let indent = indent_of(lines[span.begin].content);
    Ok(Some(
        lines[span.begin + 1..span.end]
            .iter()
            .map(|l| {
                l.content
                    .strip_prefix(indent)
                    .unwrap_or(l.content)
                    .to_string()
            })
            .collect(),
    ))
}

fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// The block as lines (markers included), each prefixed with `indent` unless empty.
fn block_lines(body: &str, indent: &str) -> Vec<String> {
    std::iter::once(BEGIN)
        .chain(body.lines())
        .chain(std::iter::once(END))
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect()
}

/// The block as text, ready to paste: LF line endings and a final newline.
pub fn render(body: &str) -> String {
    block_lines(body, "")
        .iter()
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Puts the block with `body` (lines separated by `\n`, no trailing newline) into `text`:
/// replaced in place when it differs, appended when absent. `Ok(None)` when the text already
/// holds exactly this block (nothing to write).
pub fn upsert(text: &str, body: &str) -> Result<Option<String>, MarkerProblem> {
    let lines = lines(text);
    let eol = line_ending(text);
    match locate(&lines)? {
        Some(span) => {
            let indent = indent_of(lines[span.begin].content);
            let wanted = block_lines(body, indent);
            let current = &lines[span.begin..=span.end];
            let same = current.len() == wanted.len()
                && current.iter().zip(&wanted).all(|(l, w)| l.content == w);
            if same {
                return Ok(None);
            }
            let last_eol = lines[span.end].eol;
            let mut out = String::with_capacity(text.len() + body.len());
            out.push_str(&text[..lines[span.begin].start]);
            for (i, line) in wanted.iter().enumerate() {
                out.push_str(line);
                out.push_str(if i + 1 == wanted.len() { last_eol } else { eol });
            }
            out.push_str(&text[lines[span.end].end()..]);
            Ok(Some(out))
        }
        None => {
            let mut out = String::with_capacity(text.len() + body.len() + 64);
            out.push_str(text);
            if !text.is_empty() {
                // A file without a final newline gets one; one that had it gets a blank line.
                out.push_str(eol);
            }
            for line in block_lines(body, "") {
                out.push_str(&line);
                out.push_str(eol);
            }
            Ok(Some(out))
        }
    }
}

/// Removes the block, undoing [`upsert`]'s insertion exactly: the blank line before the block
/// goes with it, and a block at the very end not preceded by a blank line takes the newline
/// that was added to the line before it. `Ok(None)` when there is no block.
pub fn remove(text: &str) -> Result<Option<String>, MarkerProblem> {
    let lines = lines(text);
    let Some(span) = locate(&lines)? else {
        return Ok(None);
    };
    let mut start = lines[span.begin].start;
    let end = lines[span.end].end();
    if span.begin > 0 {
        let before = lines[span.begin - 1];
        if before.content.is_empty() {
            start = before.start;
        } else if end == text.len() {
            start -= before.eol.len();
        }
    }
    Ok(Some(format!("{}{}", &text[..start], &text[end..])))
}

/// A line outside the block that gives the variable a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Definition {
    /// 1-based line number.
    pub line: usize,
    /// The definition comes after the block in the same file, so it wins over it.
    pub after_block: bool,
}

/// The lines outside the block that give `var` a value (`export VAR=…`, `VAR=…`,
/// `declare -x VAR=…`, `set -gx VAR …`, `setenv VAR …`), never the user's comments. A file with
/// broken markers is scanned whole.
pub fn definitions(text: &str, var: &str) -> Vec<Definition> {
    let lines = lines(text);
    let span = locate(&lines).ok().flatten();
    lines
        .iter()
        .enumerate()
        .filter(|(i, _)| !span.is_some_and(|s| (s.begin..=s.end).contains(i)))
        .filter(|(_, l)| defines(l.content, var))
        .map(|(i, _)| Definition {
            line: i + 1,
            after_block: span.is_some_and(|s| i > s.end),
        })
        .collect()
}

/// Whether one line of shell code gives `var` a value, in sh or fish syntax.
fn defines(line: &str, var: &str) -> bool {
    let code = line.trim_start();
    if code.starts_with('#') {
        return false;
    }
    let assignment = format!("{var}=");
    code.split([';', '&', '|']).any(|segment| {
        let words: Vec<&str> = segment
            .split_whitespace()
            .skip_while(|w| {
                matches!(
                    *w,
                    "then"
                        | "do"
                        | "else"
                        | "{"
                        | "("
                        | "begin"
                        | "and"
                        | "or"
                        | "builtin"
                        | "command"
                )
            })
            .collect();
        match words.split_first() {
            None => false,
            Some((&("set" | "setenv"), rest)) => {
                let flags: Vec<&str> = rest
                    .iter()
                    .copied()
                    .take_while(|w| w.starts_with('-'))
                    .collect();
                // `set -e` erases, `set -q` queries, `set -S` and `set -n` list.
                let not_a_definition = flags.iter().any(|f| match f.strip_prefix("--") {
                    Some(long) => matches!(long, "erase" | "query" | "show" | "names"),
                    None => f.contains(['e', 'q', 'S', 'n']),
                });
                !not_a_definition && rest.iter().find(|w| !w.starts_with('-')) == Some(&var)
            }
            Some((&("export" | "declare" | "typeset" | "readonly" | "local"), rest)) => {
                rest.iter().any(|w| w.starts_with(&assignment))
            }
            Some((first, _)) => first.starts_with(&assignment),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str =
        "if [ -f \"$HOME/.config/mg-codex/env\" ]; then . \"$HOME/.config/mg-codex/env\"; fi";

    fn block() -> String {
        render(BODY)
    }

    #[test]
    fn inserts_after_a_blank_line() {
        let out = upsert("alias ll='ls -l'\n", BODY).unwrap().unwrap();
        assert_eq!(out, format!("alias ll='ls -l'\n\n{}", block()));
    }

    #[test]
    fn empty_file_gets_only_the_block() {
        assert_eq!(upsert("", BODY).unwrap().unwrap(), block());
    }

    #[test]
    fn missing_final_newline_is_fixed_and_restored_on_removal() {
        let input = "export A=1";
        let out = upsert(input, BODY).unwrap().unwrap();
        assert_eq!(out, format!("export A=1\n{}", block()));
        assert_eq!(remove(&out).unwrap().unwrap(), input);
    }

    #[test]
    fn identical_block_is_a_no_op() {
        let once = upsert("x\n", BODY).unwrap().unwrap();
        assert_eq!(upsert(&once, BODY).unwrap(), None);
    }

    #[test]
    fn differing_block_is_replaced_where_the_user_moved_it() {
        let text = format!("top\n{BEGIN}\nold line\n{END}\nbottom\n");
        let out = upsert(&text, "new line").unwrap().unwrap();
        assert_eq!(out, format!("top\n{BEGIN}\nnew line\n{END}\nbottom\n"));
    }

    #[test]
    fn indented_block_keeps_its_indentation() {
        let text = format!("if true; then\n  {BEGIN}\n  old\n  {END}\nfi\n");
        let out = upsert(&text, "new").unwrap().unwrap();
        assert_eq!(
            out,
            format!("if true; then\n  {BEGIN}\n  new\n  {END}\nfi\n")
        );
        assert_eq!(upsert(&out, "new").unwrap(), None);
        assert_eq!(body(&out).unwrap().unwrap(), vec!["new".to_string()]);
    }

    #[test]
    fn removal_restores_every_insertion_exactly() {
        for input in [
            "",
            "a\n",
            "a",
            "a\n\n",
            "\n",
            "a\r\nb\r\n",
            "a\r\nb",
            "# >>> conda >>>\nx\n",
        ] {
            let out = upsert(input, BODY).unwrap().unwrap();
            assert_eq!(remove(&out).unwrap().as_deref(), Some(input), "{input:?}");
        }
    }

    #[test]
    fn removal_keeps_lines_appended_after_the_block() {
        let installed = upsert("a\n", BODY).unwrap().unwrap();
        let later = format!("{installed}export NVM_DIR=x\n");
        assert_eq!(remove(&later).unwrap().unwrap(), "a\nexport NVM_DIR=x\n");
    }

    #[test]
    fn remove_without_block_is_none() {
        assert_eq!(remove("a\n").unwrap(), None);
    }

    #[test]
    fn crlf_files_get_crlf_blocks() {
        let out = upsert("a\r\n", "one\ntwo").unwrap().unwrap();
        assert_eq!(out, format!("a\r\n\r\n{BEGIN}\r\none\r\ntwo\r\n{END}\r\n"));
        assert_eq!(upsert(&out, "one\ntwo").unwrap(), None);
        let replaced = upsert(&out, "three").unwrap().unwrap();
        assert_eq!(replaced, format!("a\r\n\r\n{BEGIN}\r\nthree\r\n{END}\r\n"));
    }

    #[test]
    fn corrupted_markers_are_refused_with_their_line() {
        let cases = [
            (
                format!("{BEGIN}\nx\n"),
                MarkerProblem::MissingEnd { begin: 1 },
            ),
            (
                format!("a\n{END}\n"),
                MarkerProblem::MissingBegin { end: 2 },
            ),
            (
                format!("{END}\n{BEGIN}\n"),
                MarkerProblem::EndBeforeBegin { end: 1, begin: 2 },
            ),
            (
                format!("{BEGIN}\n{END}\n{BEGIN}\n{END}\n"),
                MarkerProblem::DuplicateBegin {
                    first: 1,
                    second: 3,
                },
            ),
            (
                format!("{BEGIN}\n{END}\n{END}\n"),
                MarkerProblem::DuplicateEnd {
                    first: 2,
                    second: 3,
                },
            ),
            (
                "a\n# >>> mg-codex >>> (edited)\n".to_string(),
                MarkerProblem::Malformed { line: 2 },
            ),
        ];
        for (text, problem) in cases {
            assert_eq!(upsert(&text, BODY), Err(problem.clone()), "{text:?}");
            assert_eq!(remove(&text), Err(problem.clone()), "{text:?}");
            assert!(problem.to_string().contains(&problem.line().to_string()));
        }
    }

    #[test]
    fn user_definitions_are_found_outside_the_block_only() {
        let text = format!(
            "export MODELGATES_API_KEY=\"sk-mg-old\"\n\
             # export MODELGATES_API_KEY=commented\n\
             echo $MODELGATES_API_KEY\n\
             {BEGIN}\n\
             export MODELGATES_API_KEY='ours'\n\
             {END}\n\
             set -gx MODELGATES_API_KEY sk-mg-fish\n\
             set -e MODELGATES_API_KEY\n\
             MODELGATES_API_KEY=x; export MODELGATES_API_KEY\n\
             declare -x MODELGATES_API_KEY=y\n\
             export MODELGATES_API_KEY_OTHER=z\n\
             if set -q MODELGATES_API_KEY; echo set; end\n\
             if [ -z \"$X\" ]; then export MODELGATES_API_KEY=w; fi\n"
        );
        let found = definitions(&text, "MODELGATES_API_KEY");
        assert_eq!(
            found,
            vec![
                Definition {
                    line: 1,
                    after_block: false
                },
                Definition {
                    line: 7,
                    after_block: true
                },
                Definition {
                    line: 9,
                    after_block: true
                },
                Definition {
                    line: 10,
                    after_block: true
                },
                Definition {
                    line: 13,
                    after_block: true
                },
            ]
        );
    }

    #[test]
    fn line_endings() {
        assert_eq!(line_ending("a\r\nb\n"), "\r\n");
        assert_eq!(line_ending("a\nb\r\n"), "\n");
        assert_eq!(line_ending("a"), "\n");
    }
}
