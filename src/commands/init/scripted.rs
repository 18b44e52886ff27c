//! The scripted `init --yes`: every answer from a flag or from [`Defaults`], the key from
//! standard input or the environment, then the key and the model checked against the API
//! (concurrently, with the catalogue).

use super::*;

pub(super) fn scripted_answers(
    args: &InitArgs,
    shell_flag: Option<ShellSelection>,
    env: &Env,
    current: &Current,
    key_source: KeySource,
    printer: &Printer,
) -> Result<Answers> {
    let key = if args.api_key_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the key from standard input")?;
        let line = line.strip_suffix('\n').unwrap_or(&line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        parse_key(line, "standard input")?
    } else if let Some((raw, from)) = &current.key {
        parse_key(raw, from)?
    } else {
        return Err(problem(
            "no API key: standard input was not used and `MODELGATES_API_KEY` is not set",
            Fix::instruction(format!(
                "`printf '%s\\n' \"$KEY\" | {}`",
                current.me.command("init --yes --api-key-stdin")
            )),
        ));
    };
    let Defaults {
        base_url,
        model,
        effort,
    } = Defaults::resolve(args, current);
    let shells = shell_flag.unwrap_or(ShellSelection::Detected);
    let c = client(&base_url, &key, args, env)?;
    if !model_id::is_well_formed(&model) {
        // Ids without their author (`gpt-5.3-codex`) are the usual mistake: name the real one.
        let suggestions = if args.no_verify {
            Vec::new()
        } else {
            let _s = printer.spinner("Fetching the model catalogue");
            crate::commands::runtime()?
                .block_on(c.models())
                .map(|catalogue| model_id::suggest(&model, &catalogue))
                .unwrap_or_default()
        };
        return Err(match suggestions.first() {
            Some(best) => problem(
                format!(
                    "`{model}` is not a ModelGates model id (`author/slug`); did you mean {}?",
                    model_id::quoted_ids(&suggestions)
                ),
                Fix::instruction(format!("run again with `--model {best}`")),
            ),
            None => problem(
                format!(
                    "`{model}` is not a ModelGates model id (`author/slug`, e.g. `{}`)",
                    setup::DEFAULT_MODEL
                ),
                Fix::instruction(format!("pass `--model {}`", setup::DEFAULT_MODEL)),
            ),
        });
    }
    let catalogue = if args.no_verify {
        Err(Unfetched::NotAsked)
    } else {
        verify(&c, &base_url, &model, Some(&effort), &current.me, printer)?
    };
    let trust = trust_list(&args.trust, env)?;
    Ok(Answers::new(args, key, base_url, model, effort, trust, shells).with(key_source, catalogue))
}

/// Checks the key and the model, and fetches the catalogue (concurrently); a model that does
/// not exist gets "did you mean". Returns the catalogue (or why it could not be fetched).
pub(super) fn verify(
    client: &Client,
    base_url: &str,
    model: &str,
    effort: Option<&str>,
    me: &crate::commands::Invocation,
    printer: &Printer,
) -> Result<Result<Vec<Model>, Unfetched>> {
    let rt = crate::commands::runtime()?;
    let (key, found, all) = {
        let _s = printer.spinner("Checking the key and the model");
        rt.block_on(async {
            tokio::join!(client.key_status(), client.lookup(model), client.models())
        })
    };
    let all = all.map_err(|e| Unfetched::Failed(e.to_string()));
    let (found, catalogue) = Lookup::split(found);
    let info = key.map_err(|e| key_error(&e, base_url, me))?;
    if info.is_management_key == Some(true) {
        return Err(crate::commands::management_key(""));
    }
    crate::commands::say_key_accepted(&client.key_masked().unwrap_or_default(), printer);
    let mark = printer.err_style(Style::Ok, "✓");
    match found {
        Ok(m) => {
            let can: Vec<&str> = ["tools", "reasoning"]
                .into_iter()
                .filter(|p| m.supports(p))
                .collect();
            let can = if can.is_empty() {
                String::new()
            } else {
                format!(" ({})", can.join(", "))
            };
            printer.message(&format!("{mark} model `{}` is available{can}", m.id));
            crate::commands::warn_model(&m, effort, me, printer);
            Ok(all)
        }
        Err(ApiError::NotFound { .. }) => {
            let suggestions = model_id::suggest(model, &catalogue.unwrap_or_default());
            match suggestions.first() {
                Some(best) => Err(problem(
                    format!(
                        "`{model}` is not a ModelGates model; did you mean {}?",
                        model_id::quoted_ids(&suggestions)
                    ),
                    Fix::instruction(format!("run again with `--model {best}`")),
                )),
                None => Err(problem(
                    format!("`{model}` is not a ModelGates model"),
                    Fix::instruction(format!(
                        "pick an id from `mg-codex models` (`GET {base_url}/models`, or https://modelgates.ai/models) and pass it with `--model`"
                    )),
                )),
            }
        }
        Err(e) => Err(problem(
            format!("could not check the model `{model}`: {e}"),
            Fix::instruction("pass `--no-verify` to write the set-up without checking"),
        )),
    }
}
